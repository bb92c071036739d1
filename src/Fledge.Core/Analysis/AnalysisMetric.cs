using System.Collections.Immutable;

namespace Fledge.Core.Analysis;

/// <summary>
/// One metric of an analysis, with Argo Rollouts' defaults: without an interval it is measured once;
/// failureLimit 0 (one failed measurement fails it), inconclusiveLimit 0, consecutiveErrorLimit 4.
/// </summary>
public sealed record AnalysisMetric(
    string Name,
    MetricProvider Provider,
    ConditionExpression? SuccessCondition,
    ConditionExpression? FailureCondition,
    TimeSpan? Interval,
    int? Count,
    TimeSpan InitialDelay,
    int FailureLimit = 0,
    int InconclusiveLimit = 0,
    int ConsecutiveErrorLimit = 4)
{
    /// <summary>How many measurements make the metric Successful: Count, or 1 without an interval; null runs until the analysis ends.</summary>
    public int? MeasurementsNeeded => Count ?? (Interval is null && ConsecutiveSuccessLimit is null ? 1 : null);

    /// <summary>Successful as soon as this many measurements in a row succeed (Argo's consecutiveSuccessLimit).</summary>
    public int? ConsecutiveSuccessLimit { get; init; }

    /// <summary>Measured and shown, but its result never decides the run (Argo's dryRun).</summary>
    public bool DryRun { get; init; }

    /// <summary>How many of its measurements the status keeps (Argo's measurementRetention; 10 otherwise).</summary>
    public int? Retain { get; init; }
}

/// <summary>Where a metric's value comes from: a provider kind (prometheus, web, fledge, ...) and its settings.</summary>
public sealed record MetricProvider(string Kind, ImmutableSortedDictionary<string, string> Settings)
{
    public string Setting(string key) => Settings.TryGetValue(key, out var value) ? value : "";

    public bool Equals(MetricProvider? other) => other is not null && Kind == other.Kind && Settings.SequenceEqual(other.Settings);

    public override int GetHashCode() => HashCode.Combine(Kind, Settings.Count);
}
