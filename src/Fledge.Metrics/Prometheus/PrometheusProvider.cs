using System.Globalization;
using System.Text.Json;
using Fledge.Core.Analysis;

namespace Fledge.Metrics.Prometheus;

/// <summary>
/// PromQL over Prometheus' HTTP API (GET /api/v1/query). A scalar gives one value; a vector gives one value
/// per series, in the order Prometheus returns them. Settings: address, query, timeout (default 10s).
/// </summary>
public sealed class PrometheusProvider(HttpClient http) : IMetricProvider
{
    public string Kind => "prometheus";

    public async Task<IReadOnlyList<double>> ReadAsync(AnalysisMetric metric, MeasureContext context, CancellationToken cancel)
    {
        var address = metric.Provider.Setting("address").TrimEnd('/');
        var query = metric.Provider.Setting("query");
        if (address.Length == 0 || query.Length == 0)
        {
            throw new MetricProviderException("the prometheus provider needs address and query");
        }

        var url = new Uri($"{address}/api/v1/query?query={Uri.EscapeDataString(query)}");
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancel);
        timeout.CancelAfter(TimeSpan.FromSeconds(10));
        string body;
        try
        {
            using var response = await http.GetAsync(url, timeout.Token);
            body = await response.Content.ReadAsStringAsync(timeout.Token);
            if (!response.IsSuccessStatusCode)
            {
                throw new MetricProviderException($"Prometheus at {address} answered {(int)response.StatusCode}: {Shorten(body)}");
            }
        }
        catch (HttpRequestException e)
        {
            throw new MetricProviderException($"cannot reach Prometheus at {address}: {e.Message}", e);
        }
        catch (OperationCanceledException e) when (!cancel.IsCancellationRequested)
        {
            throw new MetricProviderException($"Prometheus at {address} did not answer within 10s", e);
        }

        return Parse(body, query);
    }

    /// <summary>Reads the values of a query result: {"status":"success","data":{"resultType":"vector","result":[{"value":[t,"0.5"]}]}}.</summary>
    public static IReadOnlyList<double> Parse(string body, string query)
    {
        try
        {
            using var document = JsonDocument.Parse(body);
            var root = document.RootElement;
            if (root.GetProperty("status").GetString() != "success")
            {
                throw new MetricProviderException($"Prometheus refused the query \"{query}\": {root.GetProperty("error").GetString()}");
            }

            var data = root.GetProperty("data");
            var type = data.GetProperty("resultType").GetString();
            var result = data.GetProperty("result");
            var values = type switch
            {
                "scalar" => [Number(result[1])],
                "vector" => result.EnumerateArray().Select(series => Number(series.GetProperty("value")[1])).ToList(),
                _ => throw new MetricProviderException($"the query \"{query}\" returned a {type}; use a query that returns a scalar or an instant vector"),
            };
            return values.Count > 0 ? values : throw new MetricProviderException($"the query \"{query}\" returned no series (is anything scraped yet?)");
        }
        catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException)
        {
            throw new MetricProviderException($"cannot read Prometheus' answer: {e.Message}", e);
        }
    }

    private static double Number(JsonElement value) => value.GetString() switch
    {
        "NaN" => double.NaN,
        "+Inf" => double.PositiveInfinity,
        "-Inf" => double.NegativeInfinity,
        var text => double.Parse(text!, CultureInfo.InvariantCulture),
    };

    private static string Shorten(string text) => text.Length > 200 ? text[..200] + "..." : text;
}
