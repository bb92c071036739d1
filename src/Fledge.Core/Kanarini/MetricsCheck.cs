using System.Collections.Immutable;
using System.Globalization;
using Fledge.Core.Planning;
using k8s;

namespace Fledge.Core.Kanarini;

/// <summary>A metrics check that is due: the canary track has run the template since <see cref="Since"/> and the delay is over.</summary>
public sealed record DueCheck(string TemplateHash, DateTimeOffset Since, ImmutableArray<TrackMetric> Metrics);

/// <summary>
/// The canary track's metrics check, taken once per template: when it is due, and what its values decide.
/// Every metric is read once; a value at or above its target fails the template. A metric that cannot be
/// read records nothing (the check is tried again), so a metrics source that is down can never pass a template.
/// </summary>
public static class MetricsCheck
{
    public static DueCheck? Due(CanaryDeployment cd, TrackObservation? canary, DateTimeOffset now)
    {
        if (cd.Status.ObservedGeneration != cd.Generation || cd.CheckDueAt is not { } dueAt || now < dueAt
            || canary is not { Ready: true } || canary.TemplateHash != cd.Template.Hash)
        {
            return null;
        }

        return new DueCheck(cd.Template.Hash, cd.Status.CanaryDeploymentReadyStatusCheckpoint!.LatestReadyTimestamp, cd.Canary.Metrics);
    }

    /// <summary>
    /// Records the values of a check: the result on the checkpoint, the values, and the template as the last
    /// successful or last failed one. Null when the check no longer applies (the template changed meanwhile).
    /// </summary>
    public static (CanaryDeploymentStatus Status, ImmutableArray<RecordEvent> Events)? Record(
        CanaryDeployment cd, DueCheck check, IReadOnlyList<MetricValue> values, DateTimeOffset now)
    {
        var status = cd.Status;
        if (status.CanaryDeploymentReadyStatusCheckpoint is not { MetricCheckResult: MetricCheckResult.Unknown } checkpoint
            || checkpoint.TemplateHash != check.TemplateHash || cd.Template.Hash != check.TemplateHash)
        {
            return null;
        }

        var failed = values.Where(v => v.Value >= v.Target).ToList();
        var result = failed.Count > 0 ? MetricCheckResult.Failure : MetricCheckResult.Success;
        var snapshot = new DeploymentSnapshot(check.TemplateHash, KubernetesJson.Serialize(cd.Template.Spec), now);
        var recorded = status with
        {
            CanaryDeploymentReadyStatusCheckpoint = checkpoint with { MetricCheckResult = result },
            LatestMetrics = [.. values],
            LatestSuccessfulDeploymentSnapshot = result == MetricCheckResult.Success ? snapshot : status.LatestSuccessfulDeploymentSnapshot,
            LatestFailedDeploymentSnapshot = result == MetricCheckResult.Failure ? snapshot : status.LatestFailedDeploymentSnapshot,
        };
        var summary = values.Count == 0 ? "no metrics" : string.Join(", ", values.Select(Describe));
        ImmutableArray<RecordEvent> events = [new RecordEvent(RecordEvent.Normal, KanariniReasons.MetricsCheckResult, $"Metrics check result: {result} ({summary})")];
        if (result == MetricCheckResult.Failure)
        {
            events = events.Add(new RecordEvent(RecordEvent.Warning, KanariniReasons.MetricsCheckUnsuccessful,
                $"Metrics check is unsuccessful, stopping propagation: {string.Join(", ", failed.Select(Describe))}"));
        }

        return (recorded, events);
    }

    /// <summary>"Service/foo-canary request_failure_rate:1m = 0.31 (target 0.1)".</summary>
    public static string Describe(MetricValue value) =>
        string.Create(CultureInfo.InvariantCulture, $"{value.Metric} = {value.Value:0.####} ({(value.Value >= value.Target ? "at or above" : "below")} target {value.Target:0.####})");
}
