using Fledge.Local.Replicas;
using Fledge.Local.Services;

namespace Fledge.Local.Api;

/// <summary>One file handed to `apply`: its name (for error messages) and its text.</summary>
public sealed record ApplySource(string Name, string Content);

public sealed record ApplyRequest(IReadOnlyList<ApplySource> Sources);

/// <summary>What apply did to one object: created, configured or unchanged.</summary>
public sealed record ApplyResult(string Kind, string Name, string Result);

public sealed record ApplyResponse(IReadOnlyList<ApplyResult> Results);

/// <summary>Errors of a request that changed nothing.</summary>
public sealed record ErrorResponse(IReadOnlyList<string> Errors);

public sealed record ConditionSummary(string Type, string Status, string Reason, string Message, DateTimeOffset LastUpdateTime, DateTimeOffset LastTransitionTime);

/// <summary>A rollout as `get rollouts` shows it.</summary>
public sealed record RolloutSummary(
    string Name,
    string Kind,
    string Strategy,
    int Replicas,
    int CurrentReplicas,
    int UpdatedReplicas,
    int ReadyReplicas,
    int AvailableReplicas,
    long Revision,
    IReadOnlyList<string> Images,
    bool Paused,
    long Generation,
    long ObservedGeneration,
    IReadOnlyList<ConditionSummary> Conditions,
    DateTimeOffset CreatedAt)
{
    /// <summary>A canary's phase, step and weight; null for other strategies.</summary>
    public CanarySummary? Canary { get; init; }

    /// <summary>A blue-green rollout's active and preview revisions and its promotion; null for other strategies.</summary>
    public BlueGreenSummary? BlueGreen { get; init; }

    /// <summary>What keeps replicas of the newest revision from being ready: "POD: PHASE: MESSAGE" for each that has a message.</summary>
    public IReadOnlyList<string> Problems { get; init; } = [];
}

/// <summary>Where a canary is: phase (Healthy, Progressing, Paused, Degraded), step, traffic weight.</summary>
public sealed record CanarySummary(
    string Phase,
    string Message,
    int Step,
    int Steps,
    int Weight,
    string? StableReplicaSet,
    string? CanaryReplicaSet,
    bool TrafficRouted)
{
    public long? StableRevision { get; init; }

    public long? CanaryRevision { get; init; }

    /// <summary>The analyses running (or last run) for this canary: the current step's and the background one.</summary>
    public IReadOnlyList<AnalysisSummary> Analyses { get; init; } = [];
}

/// <summary>
/// Where a blue-green rollout is: the revision the active Service reaches, the preview beside it, what its promotion
/// waits for (<see cref="Promotion"/>), and until when the previous active revision is kept after a switch.
/// </summary>
public sealed record BlueGreenSummary(
    string Phase,
    string Message,
    string ActiveService,
    string? PreviewService,
    string? ActiveReplicaSet,
    long? ActiveRevision,
    string? PreviewReplicaSet,
    long? PreviewRevision,
    string? PreviousActiveReplicaSet,
    string Promotion,
    DateTimeOffset? AutoPromoteAt,
    DateTimeOffset? ScaleDownAt)
{
    public IReadOnlyList<AnalysisSummary> Analyses { get; init; } = [];
}

/// <summary>One analysis run of a canary, metric by metric. Kind: a step ("step 2"), "background", "pre-promotion" or "post-promotion".</summary>
public sealed record AnalysisSummary(string Name, string Kind, string Phase, DateTimeOffset StartedAt, IReadOnlyList<MetricSummary> Metrics);

/// <summary>
/// One metric of an analysis run: its phase so far, the measurements taken (errors, which never count, left out) and
/// needed, the latest one, and when the next is due.
/// </summary>
public sealed record MetricSummary(
    string Name,
    string Provider,
    string Phase,
    int Taken,
    int? Needed,
    int ConsecutiveErrors,
    int ConsecutiveErrorLimit,
    MeasurementView? Last,
    DateTimeOffset? NextAt,
    string? SuccessCondition,
    string? FailureCondition,
    string Message);

/// <summary>One measurement as people read it.</summary>
public sealed record MeasurementView(IReadOnlyList<double> Value, string ValueText, string Phase, DateTimeOffset At, string Message);

public sealed record ReplicaSetSummary(
    string Name,
    string Rollout,
    long Revision,
    string Image,
    int Desired,
    int Current,
    int Ready,
    int Available,
    DateTimeOffset CreatedAt);

public sealed record EventSummary(DateTimeOffset At, string Type, string Reason, string Message);

/// <summary>A rollout with everything `describe` shows.</summary>
public sealed record RolloutDetail(
    RolloutSummary Rollout,
    string Selector,
    int MinReadySeconds,
    int? ProgressDeadlineSeconds,
    int? RevisionHistoryLimit,
    string? MaxSurge,
    string? MaxUnavailable,
    IReadOnlyList<ReplicaSetSummary> ReplicaSets,
    IReadOnlyList<ReplicaView> Pods,
    IReadOnlyList<EventSummary> Events);

public sealed record HistoryEntry(long Revision, string? ChangeCause, string Image, string ReplicaSet, string? Template);

public sealed record ImageRequest(string Container, string Image);

/// <summary>Lists for `get`.</summary>
public sealed record RolloutList(IReadOnlyList<RolloutSummary> Items);

public sealed record ReplicaSetList(IReadOnlyList<ReplicaSetSummary> Items);

public sealed record PodList(IReadOnlyList<ReplicaView> Items);

public sealed record ServiceList(IReadOnlyList<ServiceView> Items);

public sealed record HistoryList(IReadOnlyList<HistoryEntry> Items);

/// <summary>A message for the person who asked (undo, pause, scale...).</summary>
public sealed record MessageResponse(string Message);

/// <summary>One track of a CanaryDeployment: its Deployment, the image it runs, and how far it has rolled out.</summary>
public sealed record TrackSummary(string Deployment, string? Image, int Replicas, int Ready, int Available, bool RolledOut);

/// <summary>A Kanarini CanaryDeployment as `get canarydeployments` shows it.</summary>
/// <param name="Phase">Ready, Failed, Checking (the metrics check is pending) or Progressing.</param>
public sealed record CanaryDeploymentSummary(
    string Name,
    string Image,
    string Phase,
    string Message,
    TrackSummary Canary,
    TrackSummary Stable,
    string? LatestSuccessful,
    string? LatestFailed,
    IReadOnlyList<Core.Kanarini.MetricValue> LatestMetrics,
    long Generation,
    long ObservedGeneration,
    IReadOnlyList<ConditionSummary> Conditions,
    DateTimeOffset CreatedAt);

public sealed record CanaryDeploymentList(IReadOnlyList<CanaryDeploymentSummary> Items);

public sealed record CanaryDeploymentDetail(CanaryDeploymentSummary CanaryDeployment, IReadOnlyList<EventSummary> Events);

/// <summary>Measure an AnalysisTemplate's metrics once, now, with these arguments (for `fledge analysis run`).</summary>
public sealed record AnalysisRunRequest(ApplySource Source, string? Template, IReadOnlyDictionary<string, string> Args);

/// <summary>One metric's measurement: its value(s), the phase its conditions give, and why.</summary>
public sealed record MeasurementSummary(string Metric, string Provider, IReadOnlyList<double> Value, string Phase, string Message);

public sealed record AnalysisRunResponse(string Template, IReadOnlyList<MeasurementSummary> Measurements);
