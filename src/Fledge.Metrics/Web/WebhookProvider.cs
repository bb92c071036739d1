using System.Net.Http.Json;
using System.Text.Json;
using Fledge.Core.Analysis;

namespace Fledge.Metrics.Web;

/// <summary>
/// A webhook gate (Flagger's webhooks, written in a Rollout's canary): POST the release's name, namespace, the gate's type
/// and metadata as JSON to the URL, as Flagger sends them; a 2xx answer is 1, any other answer 0 (the gate's conditions say
/// what that means: go on, wait, or roll back). A URL that cannot be reached is an Error measurement.
/// </summary>
public sealed class WebhookProvider(HttpClient http) : IMetricProvider
{
    public string Kind => "webhook";

    /// <summary>What a webhook is POSTed, gate or notification, as Flagger sends it: the release, the phase and the webhook's metadata.</summary>
    public static Dictionary<string, object?> Payload(string? rollout, string ns, string phase, string type, string webhook, IReadOnlyDictionary<string, string> metadata) => new()
    {
        ["name"] = rollout,
        ["namespace"] = ns,
        ["phase"] = phase,
        ["type"] = type,
        ["webhook"] = webhook,
        ["metadata"] = metadata,
    };

    public async Task<IReadOnlyList<double>> ReadAsync(AnalysisMetric metric, MeasureContext context, CancellationToken cancel)
    {
        var url = metric.Provider.Setting("url");
        var timeout = double.TryParse(metric.Provider.Setting("timeoutSeconds"), System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out var seconds)
            ? TimeSpan.FromSeconds(seconds) : TimeSpan.FromSeconds(10);
        var metadata = metric.Provider.Setting("metadata") is { Length: > 0 } json
            ? JsonSerializer.Deserialize<Dictionary<string, string>>(json) ?? []
            : [];
        var type = metric.Provider.Setting("type");
        var payload = Payload(context.Rollout, context.Namespace ?? "default", type, type, metric.Name, metadata);
        try
        {
            using var limit = CancellationTokenSource.CreateLinkedTokenSource(cancel);
            limit.CancelAfter(timeout);
            using var response = await http.PostAsJsonAsync(new Uri(url), payload, limit.Token);
            return [response.IsSuccessStatusCode ? 1 : 0];
        }
        catch (HttpRequestException e)
        {
            throw new MetricProviderException($"webhook {metric.Name}: cannot reach {url}: {e.Message}", e);
        }
        catch (OperationCanceledException e) when (!cancel.IsCancellationRequested)
        {
            throw new MetricProviderException($"webhook {metric.Name}: {url} did not answer within {timeout.TotalSeconds:0.#}s", e);
        }
    }
}
