using Fledge.Core.Rollouts;

namespace Fledge.Core.Planning;

/// <summary>
/// The replica arithmetic of a rolling update. Example: 10 replicas with maxSurge 25% and maxUnavailable
/// 25% allow ceil(2.5) = 3 extra replicas and floor(2.5) = 2 unavailable ones, so between 8 and 13
/// replicas exist while the rollout runs.
/// </summary>
public static class Fenceposts
{
    /// <summary>
    /// Resolves maxSurge (rounding up) and maxUnavailable (rounding down) against the desired replicas.
    /// When both come out as 0, unavailable becomes 1 so that a rollout can always move.
    /// </summary>
    public static (int MaxSurge, int MaxUnavailable) Resolve(IntOrPercent maxSurge, IntOrPercent maxUnavailable, int desired)
    {
        var surge = maxSurge.Scaled(desired, roundUp: true);
        var unavailable = maxUnavailable.Scaled(desired, roundUp: false);
        if (surge == 0 && unavailable == 0)
        {
            unavailable = 1;
        }

        return (surge, unavailable);
    }

    /// <summary>How many replicas may exist above the desired count; 0 unless the strategy is RollingUpdate.</summary>
    public static int MaxSurge(RolloutSpec spec) =>
        spec.Strategy.Type != StrategyType.RollingUpdate
            ? 0
            : Resolve(spec.Strategy.MaxSurge, spec.Strategy.MaxUnavailable, spec.Replicas).MaxSurge;

    /// <summary>How many replicas may be unavailable; 0 unless RollingUpdate, never more than the desired count.</summary>
    public static int MaxUnavailable(RolloutSpec spec)
    {
        if (spec.Strategy.Type != StrategyType.RollingUpdate || spec.Replicas == 0)
        {
            return 0;
        }

        var unavailable = Resolve(spec.Strategy.MaxSurge, spec.Strategy.MaxUnavailable, spec.Replicas).MaxUnavailable;
        return Math.Min(unavailable, spec.Replicas);
    }

    /// <summary>The fewest replicas that must stay available: desired minus maxUnavailable.</summary>
    public static int MinAvailable(RolloutSpec spec) => spec.Replicas - MaxUnavailable(spec);

    /// <summary>
    /// NewRSNewReplicas: the size the new replica set may grow to now. Recreate jumps to the desired count;
    /// RollingUpdate grows by the room left under desired + maxSurge. Example: 10 desired, surge 20%
    /// (2), new 0, old 10: room is 12 - 10 = 2, so the new replica set goes to 2.
    /// </summary>
    public static int NewReplicaSetReplicas(RolloutSpec spec, IReadOnlyList<ReplicaSetState> all, ReplicaSetState newRs)
    {
        var current = 0;
        foreach (var rs in all)
        {
            current += rs.Replicas;
        }

        return NewReplicaSetReplicas(spec, current, newRs);
    }

    /// <summary>As above, given the sum of spec.replicas over every replica set, the new one included.</summary>
    public static int NewReplicaSetReplicas(RolloutSpec spec, int current, ReplicaSetState newRs)
    {
        if (spec.Strategy.Type == StrategyType.Recreate)
        {
            return spec.Replicas;
        }

        if (spec.Strategy.Type is StrategyType.Canary or StrategyType.BlueGreen)
        {
            // A canary is sized by its steps, not by the rolling-update arithmetic.
            return newRs.Replicas;
        }

        var surge = spec.Strategy.MaxSurge.Scaled(spec.Replicas, roundUp: true);
        var maxTotal = spec.Replicas + surge;
        if (current >= maxTotal)
        {
            return newRs.Replicas;
        }

        var scaleUp = Math.Min(maxTotal - current, spec.Replicas - newRs.Replicas);
        return newRs.Replicas + scaleUp;
    }
}
