using Fledge.Core.Analysis;

namespace Fledge.Metrics.Kubernetes;

/// <summary>
/// AnalysisTemplate provider <c>kubernetes</c>: a metric from the custom or external metrics API. Settings:
/// <c>metric</c>; for an object metric <c>kind</c> and <c>name</c> (e.g. Service, hello-canary); for an external
/// metric <c>type: External</c>; optional <c>namespace</c> (default "default"), <c>selector</c> ("a=b,c in (d)")
/// and <c>address</c> (the API server; defaults to the one the runtime was started with).
/// </summary>
/// <param name="throughServerOnly">
/// True when <paramref name="http"/> itself carries credentials (the operator's client of its cluster): metrics are
/// read through that API server only, and a template's <c>address</c> is refused, so the credentials go nowhere else.
/// </param>
public sealed class KubernetesMetricProvider(HttpClient http, Uri? server, string? bearerToken = null, bool throughServerOnly = false) : IMetricProvider
{
    public string Kind => "kubernetes";

    public async Task<IReadOnlyList<double>> ReadAsync(AnalysisMetric metric, MeasureContext context, CancellationToken cancel)
    {
        var settings = metric.Provider;
        if (throughServerOnly && settings.Setting("address").Length > 0)
        {
            throw new MetricProviderException("address: on a cluster the metrics APIs are read through the operator's API server; leave address out");
        }

        var address = settings.Setting("address") is { Length: > 0 } text
            ? Uri.TryCreate(text, UriKind.Absolute, out var uri) ? uri : throw new MetricProviderException($"address \"{text}\" is not an absolute URL")
            : server ?? throw new MetricProviderException("no Kubernetes metrics API to ask: set the provider's address, or start `fledge serve --metrics-api URL`");
        // The runtime's token goes to the runtime's API server only, never to an address a template names.
        var client = new KubernetesMetricsClient(http, address, address == server ? bearerToken : null);
        var ns = settings.Setting("namespace") is { Length: > 0 } given ? given : context.Namespace ?? "default";
        var name = settings.Setting("metric");
        if (name.Length == 0)
        {
            throw new MetricProviderException("the kubernetes provider needs metric: the metric's name");
        }

        var selector = settings.Setting("selector") is { Length: > 0 } s ? s : null;
        if (settings.Setting("type").Equals("External", StringComparison.OrdinalIgnoreCase))
        {
            return await client.GetExternalMetricAsync(ns, name, selector, cancel);
        }

        if (settings.Setting("kind").Length == 0 || settings.Setting("name").Length == 0)
        {
            throw new MetricProviderException("an object metric needs kind and name (e.g. kind: Service, name: hello-canary), or type: External");
        }

        return [await client.GetObjectMetricAsync(ns, settings.Setting("kind"), settings.Setting("name"), name, selector, cancel)];
    }
}
