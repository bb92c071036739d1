using Fledge.Core.Kanarini;
using Fledge.Metrics;
using Fledge.Metrics.Kubernetes;

namespace Fledge.Local.Analysis;

/// <summary>
/// Reads a CanaryDeployment's metrics. With a Kubernetes metrics API (`fledge serve --metrics-api`), Object
/// metrics come from custom.metrics.k8s.io and External ones from external.metrics.k8s.io (summed over their
/// series, as Kanarini does). Without one, an Object metric of a Service is the runtime's own request metric
/// of that Service (request_failure_rate:1m and the others of the fledge provider), counted from the moment
/// the canary track became ready.
/// </summary>
internal sealed class TrackMetricReader(FledgeMetricProvider requests, KubernetesMetricsClient? metricsApi)
{
    public async Task<double> ReadAsync(TrackMetric metric, string ns, DateTimeOffset since, CancellationToken cancel)
    {
        if (metric.Type == TrackMetric.ExternalType)
        {
            var api = metricsApi ?? throw new MetricProviderException(
                $"{metric.Display}: External metrics come from a Kubernetes external metrics API; start `fledge serve --metrics-api URL`");
            return (await api.GetExternalMetricAsync(ns, metric.MetricName, metric.Selector, cancel)).Sum();
        }

        var target = metric.DescribedObject!;
        if (metricsApi is not null)
        {
            return await metricsApi.GetObjectMetricAsync(ns, target.Kind, target.Name, metric.MetricName, metric.Selector, cancel);
        }

        if (!target.Kind.Equals("Service", StringComparison.OrdinalIgnoreCase))
        {
            throw new MetricProviderException(
                $"{metric.Display}: the runtime measures Services only; describe a Service, or start `fledge serve --metrics-api URL` for metrics of a {target.Kind}");
        }

        var value = requests.Read(target.Name, metric.MetricName, revision: null, since)[0];
        return value;
    }
}
