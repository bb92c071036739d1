using Fledge.Core.Rollouts;

namespace Fledge.Core.Planning;

/// <summary>
/// The canary's replica arithmetic: which weight a step sets, how many replicas the canary runs for it, and,
/// without a traffic router, which share of requests the replica counts give it.
/// </summary>
internal static class CanaryWeights
{
    /// <summary>The canary's share of the available replicas, when weights are replica counts.</summary>
    public static int ReplicaWeight(ReplicaSetState stable, ReplicaSetState newRs)
    {
        var total = stable.AvailableReplicas + newRs.AvailableReplicas;
        return total == 0 ? 0 : (int)Math.Round(100.0 * newRs.AvailableReplicas / total, MidpointRounding.AwayFromZero);
    }

    /// <summary>The weight of the last setWeight step at or before <paramref name="index"/>.</summary>
    public static int WeightAt(CanaryStrategy canary, int index)
    {
        for (var i = Math.Min(index, canary.Steps.Length - 1); i >= 0; i--)
        {
            if (canary.Steps[i] is SetWeightStep step)
            {
                return step.Weight;
            }
        }

        return 0;
    }

    /// <summary>
    /// The setCanaryScale in force at the step (the last one at or before it): its replicas or its weight; none when there is
    /// none or it says matchTrafficWeight.
    /// </summary>
    public static (int? Replicas, int? Weight) CanaryScale(CanaryStrategy canary, int index)
    {
        for (var i = Math.Min(index, canary.Steps.Length - 1); i >= 0; i--)
        {
            if (canary.Steps[i] is SetCanaryScaleStep scale)
            {
                return scale.MatchTrafficWeight ? (null, null) : (scale.Replicas, scale.Replicas is null ? scale.Weight : null);
            }
        }

        return (null, null);
    }
}
