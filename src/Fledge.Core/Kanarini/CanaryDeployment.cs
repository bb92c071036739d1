using System.Collections.Immutable;
using Fledge.Core.Rollouts;
using k8s.Models;

namespace Fledge.Core.Kanarini;

/// <summary>
/// A Kanarini CanaryDeployment as the planner sees it: the template, and two tracks that each become a
/// Deployment named NAME-canary and NAME-stable. The canary track gets a new template first; the stable
/// track gets it only after the canary's metrics were checked and all were below their targets.
/// </summary>
public sealed record CanaryDeployment(
    string Name,
    string Namespace,
    long Generation,
    V1LabelSelector Selector,
    PodTemplate Template,
    int MinReadySeconds,
    int? ProgressDeadlineSeconds,
    TrackSpec Canary,
    TrackSpec Stable,
    CanaryDeploymentStatus Status)
{
    public const string ApiVersion = "kanarini.nilebox.github.com/v1alpha1";
    public const string KindName = "CanaryDeployment";

    /// <summary>The annotation on a track Deployment that records which template it runs.</summary>
    public const string TemplateHashAnnotation = "kanarini.nilebox.github.com/template-hash";

    public TrackSpec Track(TrackName track) => track == TrackName.Canary ? Canary : Stable;

    /// <summary>When the current template's metrics check is due: set from the moment its canary track was ready until it is checked.</summary>
    public DateTimeOffset? CheckDueAt =>
        Status.CanaryDeploymentReadyStatusCheckpoint is { MetricCheckResult: MetricCheckResult.Unknown } checkpoint && checkpoint.TemplateHash == Template.Hash
            ? checkpoint.LatestReadyTimestamp + Canary.MetricsCheckDelay
            : null;

    /// <summary>Where it stands, in one word: one of <see cref="CanaryDeploymentPhases"/>.</summary>
    public string Phase =>
        Status.Condition(KanariniReasons.Failure) is { Status: ConditionStatus.True } ? CanaryDeploymentPhases.Failed
        : Status.Condition(KanariniReasons.Ready) is { Status: ConditionStatus.True } ? CanaryDeploymentPhases.Ready
        : CheckDueAt is not null ? CanaryDeploymentPhases.Checking
        : CanaryDeploymentPhases.Progressing;

    /// <summary>The Deployment that runs a track: NAME-canary or NAME-stable.</summary>
    public string DeploymentName(TrackName track) => $"{Name}-{track.ToString().ToLowerInvariant()}";
}

public enum TrackName
{
    Canary,
    Stable,
}

/// <summary>One track: its replica count and labels; only the canary track has a check delay and metrics.</summary>
public sealed record TrackSpec(int Replicas, ImmutableSortedDictionary<string, string> Labels, TimeSpan MetricsCheckDelay, ImmutableArray<TrackMetric> Metrics);

/// <summary>
/// A metric of the canary track. Object: a metric describing one object (a Service's failure rate);
/// External: a metric from outside the cluster, summed over its series. A value at or above
/// <see cref="Target"/> fails the check, as Kanarini decides it.
/// </summary>
public sealed record TrackMetric(string Type, ObjectReference? DescribedObject, string MetricName, string? Selector, double Target)
{
    public const string ObjectType = "Object";
    public const string ExternalType = "External";

    /// <summary>How people name the metric: "Service/foo-canary request_failure_rate:1m" or "external queue_length".</summary>
    public string Display => DescribedObject is { } target ? $"{target.Kind}/{target.Name} {MetricName}" : $"external {MetricName}";
}

/// <summary>The object an Object metric describes.</summary>
public sealed record ObjectReference(string Kind, string Name, string? ApiVersion);

/// <summary>What the metrics check of one template decided.</summary>
public enum MetricCheckResult
{
    Unknown,
    Success,
    Failure,
}

/// <summary>When the canary track became ready with a template, and what its metrics check found.</summary>
public sealed record ReadyCheckpoint(string TemplateHash, DateTimeOffset LatestReadyTimestamp, MetricCheckResult MetricCheckResult);

/// <summary>A template that passed (or failed) its check, kept so the canary track can go back to the last good one.</summary>
public sealed record DeploymentSnapshot(string TemplateHash, string Template, DateTimeOffset Timestamp);

/// <summary>One metric's value at the last check.</summary>
public sealed record MetricValue(string Metric, double Value, double Target);

/// <summary>
/// Kanarini's status: the generation and template last seen, conditions (Ready, Progressing, Failure), the
/// ready checkpoint of the template under check, and the last successful and last failed templates.
/// </summary>
public sealed record CanaryDeploymentStatus(
    long ObservedGeneration,
    string? ObservedTemplateHash,
    ImmutableArray<RolloutCondition> Conditions,
    ReadyCheckpoint? CanaryDeploymentReadyStatusCheckpoint,
    DeploymentSnapshot? LatestSuccessfulDeploymentSnapshot,
    DeploymentSnapshot? LatestFailedDeploymentSnapshot,
    ImmutableArray<MetricValue> LatestMetrics)
{
    public static CanaryDeploymentStatus Empty { get; } = new(0, null, [], null, null, null, []);

    public RolloutCondition? Condition(string type)
    {
        foreach (var condition in Conditions.IsDefault ? [] : Conditions)
        {
            if (condition.Type == type)
            {
                return condition;
            }
        }

        return null;
    }

    /// <summary>
    /// Sets a condition as Kanarini does: unchanged when status and reason are the same; the transition time
    /// kept when only the reason changed.
    /// </summary>
    public CanaryDeploymentStatus WithCondition(string type, ConditionStatus status, string reason, string message, DateTimeOffset now)
    {
        var current = Condition(type);
        if (current is not null && current.Status == status && current.Reason == reason)
        {
            return this;
        }

        var transition = current is not null && current.Status == status ? current.LastTransitionTime : now;
        var others = (Conditions.IsDefault ? [] : Conditions).Where(c => c.Type != type);
        return this with { Conditions = [.. others, new RolloutCondition(type, status, reason, message, now, transition)] };
    }

    public bool Equals(CanaryDeploymentStatus? other) =>
        other is not null
        && ObservedGeneration == other.ObservedGeneration
        && ObservedTemplateHash == other.ObservedTemplateHash
        && Same(Conditions, other.Conditions)
        && Equals(CanaryDeploymentReadyStatusCheckpoint, other.CanaryDeploymentReadyStatusCheckpoint)
        && Equals(LatestSuccessfulDeploymentSnapshot, other.LatestSuccessfulDeploymentSnapshot)
        && Equals(LatestFailedDeploymentSnapshot, other.LatestFailedDeploymentSnapshot)
        && Same(LatestMetrics, other.LatestMetrics);

    public override int GetHashCode() => HashCode.Combine(ObservedGeneration, ObservedTemplateHash, CanaryDeploymentReadyStatusCheckpoint);

    private static bool Same<T>(ImmutableArray<T> a, ImmutableArray<T> b) =>
        (a.IsDefault ? [] : a).AsSpan().SequenceEqual((b.IsDefault ? [] : b).AsSpan());
}

/// <summary>The phases `get canarydeployments` and the simulation show, derived from Kanarini's conditions.</summary>
public static class CanaryDeploymentPhases
{
    /// <summary>Both tracks run the template, which passed its check.</summary>
    public const string Ready = "Ready";

    /// <summary>The template failed its check; the canary track went back to the last good one.</summary>
    public const string Failed = "Failed";

    /// <summary>The canary track is ready and its metrics check is pending.</summary>
    public const string Checking = "Checking";

    public const string Progressing = "Progressing";
}

/// <summary>Kanarini's condition types and reasons, word for word.</summary>
public static class KanariniReasons
{
    public const string Ready = "Ready";
    public const string Progressing = "Progressing";
    public const string Failure = "Failure";

    public const string CreatedDeployment = "CreatedDeployment";
    public const string UpdatedDeployment = "UpdatedDeployment";
    public const string DelayMetricsCheck = "DelayMetricsCheck";
    public const string MetricsCheckResult = "MetricsCheckResult";
    public const string MetricsCheckUnsuccessful = "MetricsCheckUnsuccessful";
    public const string FailedGetMetric = "FailedGetObjectMetric";
    public const string DoneProcessing = "DoneProcessing";
    public const string DoneReady = "DoneReady";
    public const string DoneFailure = "DoneFailure";
    public const string DeploymentCreateError = "DeploymentCreateError";
    public const string NewDeploymentCreated = "NewDeploymentCreated";
    public const string DoneProcessingMessage = "Finished reconciling update";
}
