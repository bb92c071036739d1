using System.Collections.Immutable;

namespace Fledge.Core.Rollouts;

/// <summary>The observed state of a rollout, with the fields of a Deployment's status.</summary>
public sealed record RolloutStatus(
    long ObservedGeneration,
    int Replicas,
    int UpdatedReplicas,
    int ReadyReplicas,
    int AvailableReplicas,
    int UnavailableReplicas,
    int CollisionCount,
    ImmutableArray<RolloutCondition> Conditions)
{
    public static RolloutStatus Empty { get; } = new(0, 0, 0, 0, 0, 0, 0, ImmutableArray<RolloutCondition>.Empty);

    /// <summary>A canary rollout's steps, weights and phase; null for other strategies.</summary>
    public CanaryStatus? Canary { get; init; }

    /// <summary>Argo's restartedAt: the spec.restartAt whose restart is done (every pod created since).</summary>
    public DateTimeOffset? RestartedAt { get; init; }

    public RolloutCondition? Condition(string type)
    {
        foreach (var condition in Conditions)
        {
            if (condition.Type == type)
            {
                return condition;
            }
        }

        return null;
    }

    public bool Equals(RolloutStatus? other) =>
        other is not null
        && ObservedGeneration == other.ObservedGeneration
        && Replicas == other.Replicas
        && UpdatedReplicas == other.UpdatedReplicas
        && ReadyReplicas == other.ReadyReplicas
        && AvailableReplicas == other.AvailableReplicas
        && UnavailableReplicas == other.UnavailableReplicas
        && CollisionCount == other.CollisionCount
        && Conditions.AsSpan().SequenceEqual(other.Conditions.AsSpan())
        && Equals(Canary, other.Canary)
        && RestartedAt == other.RestartedAt;

    public override int GetHashCode() => HashCode.Combine(ObservedGeneration, Replicas, UpdatedReplicas, AvailableReplicas, Conditions.Length);
}
