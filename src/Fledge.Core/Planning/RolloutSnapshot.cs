using System.Collections.Immutable;
using Fledge.Core.Rollouts;

namespace Fledge.Core.Planning;

/// <summary>Everything the planner may know: the rollout, its replica sets as observed, and the time.</summary>
public sealed record RolloutSnapshot(Rollout Rollout, ImmutableArray<ReplicaSetState> ReplicaSets, DateTimeOffset Now)
{
    /// <summary>The AnalysisTemplates a canary's analysis may name.</summary>
    public ImmutableDictionary<string, Analysis.AnalysisTemplate> Templates { get; init; } = ImmutableDictionary<string, Analysis.AnalysisTemplate>.Empty;
}
