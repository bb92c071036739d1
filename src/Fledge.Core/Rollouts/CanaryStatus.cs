namespace Fledge.Core.Rollouts;

/// <summary>Phases of a rollout as Argo Rollouts names them.</summary>
public static class RolloutPhases
{
    public const string Healthy = "Healthy";
    public const string Progressing = "Progressing";
    public const string Paused = "Paused";
    public const string Degraded = "Degraded";
}

/// <summary>
/// Where a canary rollout is: its phase and step, which replica set is stable and which is the canary, the
/// canary's share of traffic, and the requests people made of it (promote, promote --full, abort), which the
/// planner acts on.
/// </summary>
public sealed record CanaryStatus(
    string Phase,
    string Message,
    int CurrentStepIndex,
    string? StableReplicaSet,
    string? CanaryReplicaSet,
    int Weight)
{
    /// <summary>When the current pause step began.</summary>
    public DateTimeOffset? PauseStartTime { get; init; }

    /// <summary>Set by `rollout abort`, cleared by `rollout retry` or a new version.</summary>
    public bool Aborted { get; init; }

    public DateTimeOffset? AbortedAt { get; init; }

    /// <summary>Set by `rollout promote --full`: skip the remaining steps.</summary>
    public bool PromoteFull { get; init; }

    /// <summary>Set by `rollout promote`: end the current pause.</summary>
    public bool SkipPause { get; init; }

    /// <summary>Blue-green: the revision that was active before the switch (the way back while post-promotion analysis runs).</summary>
    public string? PreviousReplicaSet { get; init; }

    /// <summary>After a promotion, the previous stable replica set is scaled down at this time.</summary>
    public DateTimeOffset? ScaleDownAt { get; init; }

    /// <summary>The analysis of the current analysis step, with its measurements.</summary>
    public AnalysisRunStatus? StepAnalysis { get; init; }

    /// <summary>The background analysis of the current canary, with its measurements.</summary>
    public AnalysisRunStatus? BackgroundAnalysis { get; init; }

    public static CanaryStatus Initial { get; } = new(RolloutPhases.Progressing, "", 0, null, null, 0);
}

/// <summary>One analysis of a canary: which step it belongs to (-1 in the background), when it began, and each metric's measurements.</summary>
public sealed record AnalysisRunStatus(string Name, int Step, DateTimeOffset StartedAt, System.Collections.Immutable.ImmutableArray<MetricMeasurements> Metrics)
{
    public System.Collections.Immutable.ImmutableArray<Analysis.Measurement> MeasurementsOf(string metric) =>
        Metrics.FirstOrDefault(m => m.Metric == metric)?.Measurements ?? [];
}

/// <summary>The measurements of one metric so far.</summary>
public sealed record MetricMeasurements(string Metric, System.Collections.Immutable.ImmutableArray<Analysis.Measurement> Measurements);
