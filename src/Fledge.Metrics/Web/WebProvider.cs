using System.Globalization;
using System.Text.Json;
using Fledge.Core.Analysis;

namespace Fledge.Metrics.Web;

/// <summary>
/// GET a URL that answers JSON and read one value with a JSON path such as <c>{$.data.errorRate}</c> or
/// <c>$.results[0].value</c> (a number, a numeric string, a boolean as 1/0, or an array of numbers).
/// </summary>
public sealed class WebProvider(HttpClient http) : IMetricProvider
{
    public string Kind => "web";

    public async Task<IReadOnlyList<double>> ReadAsync(AnalysisMetric metric, MeasureContext context, CancellationToken cancel)
    {
        var url = metric.Provider.Setting("url");
        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri))
        {
            throw new MetricProviderException($"the web provider needs an absolute url, got \"{url}\"");
        }

        var seconds = double.TryParse(metric.Provider.Setting("timeoutSeconds"), NumberStyles.Float, CultureInfo.InvariantCulture, out var written) && written > 0 ? written : 10;
        string body;
        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancel);
            timeout.CancelAfter(TimeSpan.FromSeconds(seconds));
            using var request = Request(metric, uri);
            using var response = await http.SendAsync(request, timeout.Token);
            body = await response.Content.ReadAsStringAsync(timeout.Token);
            if (!response.IsSuccessStatusCode)
            {
                throw new MetricProviderException($"{url} answered {(int)response.StatusCode}");
            }
        }
        catch (HttpRequestException e)
        {
            throw new MetricProviderException($"cannot reach {url}: {e.Message}", e);
        }
        catch (OperationCanceledException e) when (!cancel.IsCancellationRequested)
        {
            throw new MetricProviderException($"{url} did not answer within {seconds:0.#}s", e);
        }

        return Select(body, metric.Provider.Setting("jsonPath"));
    }

    /// <summary>
    /// The request as Argo's web provider writes it: method (GET, POST, PUT; default GET), headers ([{key, value}]),
    /// body (text) or jsonBody (a structure, sent as JSON).
    /// </summary>
    private static HttpRequestMessage Request(AnalysisMetric metric, Uri uri)
    {
        var method = metric.Provider.Setting("method") is { Length: > 0 } written ? written.ToUpperInvariant() : "GET";
        var request = new HttpRequestMessage(new HttpMethod(method), uri);
        if (metric.Provider.Setting("jsonBody") is { Length: > 0 } json)
        {
            request.Content = new StringContent(json, System.Text.Encoding.UTF8, "application/json");
        }
        else if (metric.Provider.Setting("body") is { Length: > 0 } text)
        {
            request.Content = new StringContent(text, System.Text.Encoding.UTF8);
        }

        if (metric.Provider.Setting("headers") is { Length: > 0 } headers)
        {
            using var document = JsonDocument.Parse(headers);
            foreach (var header in document.RootElement.EnumerateArray())
            {
                var key = header.TryGetProperty("key", out var k) ? k.GetString() : null;
                var value = header.TryGetProperty("value", out var v) ? v.ToString() : "";
                if (string.IsNullOrEmpty(key))
                {
                    continue;
                }

                if (!request.Headers.TryAddWithoutValidation(key, value) && request.Content is not null)
                {
                    request.Content.Headers.Remove(key);
                    request.Content.Headers.TryAddWithoutValidation(key, value);
                }
            }
        }

        return request;
    }

    /// <summary>Follows a JSON path ($.a.b[0].c, optionally in braces) and reads numbers there.</summary>
    public static IReadOnlyList<double> Select(string json, string path)
    {
        try
        {
            using var document = JsonDocument.Parse(json);
            var node = document.RootElement;
            var trimmed = path.Trim().TrimStart('{').TrimEnd('}').Trim();
            if (!trimmed.StartsWith('$'))
            {
                throw new MetricProviderException($"jsonPath \"{path}\" must start with $, e.g. {{$.data.value}}");
            }

            foreach (var part in trimmed[1..].Split('.', StringSplitOptions.RemoveEmptyEntries))
            {
                var name = part.Split('[')[0];
                if (name.Length > 0)
                {
                    node = node.TryGetProperty(name, out var child) ? child : throw new MetricProviderException($"jsonPath \"{path}\": no \"{name}\" in the answer");
                }

                foreach (var index in part.Split('[').Skip(1).Select(i => int.Parse(i.TrimEnd(']'), CultureInfo.InvariantCulture)))
                {
                    node = index < node.GetArrayLength() ? node[index] : throw new MetricProviderException($"jsonPath \"{path}\": index {index} is past the end");
                }
            }

            return node.ValueKind == JsonValueKind.Array ? node.EnumerateArray().Select(Number).ToList() : [Number(node)];
        }
        catch (JsonException e)
        {
            throw new MetricProviderException($"the answer is not JSON: {e.Message}", e);
        }
    }

    private static double Number(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.Number => value.GetDouble(),
        JsonValueKind.True => 1,
        JsonValueKind.False => 0,
        JsonValueKind.String when double.TryParse(value.GetString(), NumberStyles.Float, CultureInfo.InvariantCulture, out var number) => number,
        _ => throw new MetricProviderException($"expected a number, found {value.ValueKind}: {value.GetRawText()}"),
    };
}
