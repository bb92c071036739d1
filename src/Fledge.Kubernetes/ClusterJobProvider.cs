using Fledge.Core.Analysis;
using Fledge.Metrics;
using k8s;
using k8s.Models;

namespace Fledge.Kubernetes;

/// <summary>
/// Argo's job provider on a cluster: a batch/v1 Job of the metric's spec in the rollout's namespace, created for the
/// measurement and deleted (with its pods) once it ends. The value is 1 for a Job that succeeded and 0 for one that failed
/// (its backoffLimit used up, or its deadline passed); a Job that does not end within the measurement's time is an Error.
/// </summary>
internal sealed class ClusterJobProvider(IKubernetes client) : IMetricProvider
{
    public const string MetricLabel = "rollouts.fledge.io/analysis-metric";

    public string Kind => "job";

    public async Task<IReadOnlyList<double>> ReadAsync(AnalysisMetric metric, MeasureContext context, CancellationToken cancel)
    {
        var ns = context.Namespace ?? "default";
        V1JobSpec spec;
        try
        {
            spec = KubernetesJson.Deserialize<V1JobSpec>(metric.Provider.Setting("spec"));
        }
        catch (System.Text.Json.JsonException e)
        {
            throw new MetricProviderException($"the job provider's spec is not a Job spec: {e.Message}", e);
        }

        var metadata = metric.Provider.Setting("metadata") is { Length: > 0 } written ? KubernetesJson.Deserialize<V1ObjectMeta>(written) : new V1ObjectMeta();
        var name = $"{Dns(metric.Name)}-{Guid.NewGuid():N}"[..Math.Min(63, Dns(metric.Name).Length + 9)];
        var job = new V1Job
        {
            ApiVersion = "batch/v1",
            Kind = "Job",
            Metadata = new V1ObjectMeta
            {
                Name = name,
                Labels = new Dictionary<string, string>(metadata.Labels ?? new Dictionary<string, string>()) { [MetricLabel] = Dns(metric.Name) },
                Annotations = metadata.Annotations,
            },
            Spec = spec,
        };
        try
        {
            await client.BatchV1.CreateNamespacedJobAsync(job, ns, cancellationToken: cancel);
        }
        catch (k8s.Autorest.HttpOperationException e)
        {
            throw new MetricProviderException($"cannot create Job {ns}/{name}: {(int)e.Response.StatusCode} {e.Response.Content}", e);
        }

        try
        {
            while (true)
            {
                var current = await client.BatchV1.ReadNamespacedJobStatusAsync(name, ns, cancellationToken: cancel);
                if (current.Status?.Succeeded > 0)
                {
                    return [1];
                }

                if (current.Status?.Conditions?.Any(c => c.Type == "Failed" && c.Status == "True") == true)
                {
                    return [0];
                }

                await Task.Delay(TimeSpan.FromMilliseconds(500), cancel);
            }
        }
        finally
        {
            try
            {
                await client.BatchV1.DeleteNamespacedJobAsync(name, ns, propagationPolicy: "Background", cancellationToken: CancellationToken.None);
            }
            catch (Exception e) when (e is k8s.Autorest.HttpOperationException or HttpRequestException)
            {
                // Gone already, or the API server away: nothing is left to clean up that the garbage collector will not
            }
        }
    }

    /// <summary>A metric's name as the start of a Job's name: lower-case letters, digits and dashes, at most 50 characters.</summary>
    private static string Dns(string text)
    {
        var chars = text.ToLowerInvariant().Select(c => char.IsAsciiLetterOrDigit(c) ? c : '-').ToArray();
        var name = new string(chars).Trim('-');
        return (name.Length == 0 ? "analysis" : name.Length > 50 ? name[..50].TrimEnd('-') : name);
    }
}
