using System.Collections.Immutable;

namespace Fledge.Core.Rollouts;

/// <summary>A rollout (a Fledge Rollout or an apps/v1 Deployment) as the planner sees it.</summary>
public sealed record Rollout(
    string Name,
    string Namespace,
    string Kind,
    long Generation,
    ImmutableSortedDictionary<string, string> Annotations,
    RolloutSpec Spec,
    RolloutStatus Status)
{
    public string? ChangeCause => Annotations.GetValueOrDefault(Rollouts.Annotations.ChangeCause);
}
