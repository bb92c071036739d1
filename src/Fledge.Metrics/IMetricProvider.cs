using Fledge.Core.Analysis;

namespace Fledge.Metrics;

/// <summary>
/// Reads a metric's current value(s) from somewhere (Prometheus, a web endpoint, the runtime's own request
/// counts). Throws <see cref="MetricProviderException"/> with what failed; the caller turns that into an Error
/// measurement, which counts toward consecutiveErrorLimit and never toward success.
/// </summary>
public interface IMetricProvider
{
    /// <summary>The provider key in an AnalysisTemplate: prometheus, web, fledge.</summary>
    string Kind { get; }

    Task<IReadOnlyList<double>> ReadAsync(AnalysisMetric metric, MeasureContext context, CancellationToken cancel);
}

/// <summary>What a measurement is for: the analysis run began at <see cref="Since"/> (its canary's requests before that do not count).</summary>
public sealed record MeasureContext(DateTimeOffset Since)
{
    /// <summary>The canary's revision (as the request metrics label it), when the rollout has a canary.</summary>
    public string? CanaryRevision { get; init; }

    /// <summary>The stable revision, when the rollout has a canary.</summary>
    public string? StableRevision { get; init; }

    /// <summary>The rollout's namespace on a cluster (the default namespace of a Kubernetes metric).</summary>
    public string? Namespace { get; init; }

    /// <summary>The rollout measured for (a webhook tells its receiver which).</summary>
    public string? Rollout { get; init; }
}

/// <summary>A provider could not produce a value: unreachable, a bad query, an empty result.</summary>
public sealed class MetricProviderException(string message, Exception? inner = null) : Exception(message, inner);
