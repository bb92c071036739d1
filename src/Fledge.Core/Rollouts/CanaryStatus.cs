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
    /// <summary>When the current canary began: its replica set became the canary (how long a rollback took is counted from here).</summary>
    public DateTimeOffset? CanaryStartedAt { get; init; }

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

    /// <summary>The status once one revision serves everything: no canary and no weight, no pause, abort or promote request pending.</summary>
    public CanaryStatus Settled() => this with
    {
        CanaryReplicaSet = null,
        Weight = 0,
        PauseStartTime = null,
        Aborted = false,
        AbortedAt = null,
        PromoteFull = false,
        SkipPause = false,
    };
}

/// <summary>One analysis of a canary: which step it belongs to (-1 in the background), when it began, and each metric's measurements.</summary>
public sealed record AnalysisRunStatus(string Name, int Step, DateTimeOffset StartedAt, System.Collections.Immutable.ImmutableArray<MetricMeasurements> Metrics)
{
    public MetricMeasurements MeasurementsOf(string metric) =>
        Metrics.FirstOrDefault(m => m.Metric == metric) ?? new MetricMeasurements(metric, []);
}

/// <summary>
/// A metric's measurements: how many ended in each phase (and errors in a row), and the last
/// <see cref="Retained"/> of them, as Argo Rollouts keeps a metric's measurements. A background analysis
/// measures until promotion; the counts decide its limits, so the status stays small however long it runs.
/// </summary>
public sealed record MetricMeasurements(string Metric, System.Collections.Immutable.ImmutableArray<Analysis.Measurement> Measurements)
{
    public const int Retained = 10;

    public int Successful { get; init; }

    public int Failed { get; init; }

    public int Inconclusive { get; init; }

    public int Errors { get; init; }

    public int ConsecutiveErrors { get; init; }

    /// <summary>Successful measurements in a row, up to the last one.</summary>
    public int ConsecutiveSuccesses { get; init; }

    /// <summary>Measurements taken, kept or not.</summary>
    public int Count => Successful + Failed + Inconclusive + Errors;

    /// <summary>The metric with one more measurement: counted, and kept among the last <see cref="Retained"/>.</summary>
    public MetricMeasurements Add(Analysis.Measurement measurement, int retain = Retained)
    {
        var counted = Counted();
        var kept = counted.Measurements.Add(measurement);
        return (counted with
        {
            Measurements = kept.Length > retain ? kept.RemoveRange(0, kept.Length - retain) : kept,
            ConsecutiveSuccesses = measurement.Phase == Analysis.AnalysisPhase.Successful ? counted.ConsecutiveSuccesses + 1 : 0,
            Successful = counted.Successful + (measurement.Phase == Analysis.AnalysisPhase.Successful ? 1 : 0),
            Failed = counted.Failed + (measurement.Phase == Analysis.AnalysisPhase.Failed ? 1 : 0),
            Inconclusive = counted.Inconclusive + (measurement.Phase == Analysis.AnalysisPhase.Inconclusive ? 1 : 0),
            Errors = counted.Errors + (measurement.Phase == Analysis.AnalysisPhase.Error ? 1 : 0),
            ConsecutiveErrors = measurement.Phase == Analysis.AnalysisPhase.Error ? counted.ConsecutiveErrors + 1 : 0,
        });
    }

    /// <summary>
    /// The counts, taken from the measurements when they were never counted (a list built directly, or a status
    /// written before the counts were kept, when every measurement was still there).
    /// </summary>
    public MetricMeasurements Counted() =>
        Measurements.IsDefault ? this with { Measurements = [] }
        : Count >= Measurements.Length ? this
        : Measurements.Aggregate(new MetricMeasurements(Metric, []), (sum, m) => sum.Add(m));

    /// <summary>The last measurement, if any.</summary>
    public Analysis.Measurement? Last => Measurements.IsDefaultOrEmpty ? null : Measurements[^1];

    public bool Equals(MetricMeasurements? other) =>
        other is not null && Metric == other.Metric && Count == other.Count && ConsecutiveErrors == other.ConsecutiveErrors
        && ConsecutiveSuccesses == other.ConsecutiveSuccesses && Measurements.AsSpan().SequenceEqual(other.Measurements.AsSpan());

    public override int GetHashCode() => HashCode.Combine(Metric, Count);
}
