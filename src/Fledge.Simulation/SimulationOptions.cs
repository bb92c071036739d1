using Fledge.Core.Rollouts;

namespace Fledge.Simulation;

/// <summary>What to simulate: the rollout as first created, later versions applied once it settles, and scripted events.</summary>
public sealed record SimulationOptions(Rollout Initial, IReadOnlyList<Rollout> Updates)
{
    /// <summary>How long after creation a replica becomes ready.</summary>
    public TimeSpan ReadyAfter { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>How long a replica takes to terminate once it is scaled away.</summary>
    public TimeSpan TerminateAfter { get; init; } = TimeSpan.Zero;

    /// <summary>Images whose replicas never become ready.</summary>
    public IReadOnlySet<string> NeverReadyImages { get; init; } = new HashSet<string>();

    public IReadOnlyList<ScriptedEvent> Events { get; init; } = [];

    /// <summary>The AnalysisTemplates the canary's analysis may name.</summary>
    public System.Collections.Immutable.ImmutableDictionary<string, Core.Analysis.AnalysisTemplate> Templates { get; init; } =
        System.Collections.Immutable.ImmutableDictionary<string, Core.Analysis.AnalysisTemplate>.Empty;

    /// <summary>Simulated metric values: (metric name, canary image) to the value every measurement reads.</summary>
    public IReadOnlyDictionary<(string Metric, string Image), double> MetricValues { get; init; } = new Dictionary<(string, string), double>();

    /// <summary>The simulation stops here even when a rollout without a deadline never settles.</summary>
    public TimeSpan MaxDuration { get; init; } = TimeSpan.FromHours(24);
}
