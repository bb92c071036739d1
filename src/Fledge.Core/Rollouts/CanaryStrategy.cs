using System.Collections.Immutable;

namespace Fledge.Core.Rollouts;

/// <summary>A canary rollout's strategy, with defaults applied (Argo Rollouts' fields and defaults).</summary>
public sealed record CanaryStrategy(
    string? CanaryService,
    string? StableService,
    ImmutableArray<CanaryStep> Steps,
    IntOrPercent MaxSurge,
    IntOrPercent MaxUnavailable,
    int AbortScaleDownDelaySeconds,
    int ScaleDownDelaySeconds,
    bool TrafficRouted)
{
    /// <summary>Analysis that runs in the background from its starting step until promotion.</summary>
    public Analysis.RolloutAnalysis? Analysis { get; init; }

    public bool Equals(CanaryStrategy? other) =>
        other is not null && CanaryService == other.CanaryService && StableService == other.StableService
        && Steps.SequenceEqual(other.Steps) && MaxSurge == other.MaxSurge && MaxUnavailable == other.MaxUnavailable
        && AbortScaleDownDelaySeconds == other.AbortScaleDownDelaySeconds && ScaleDownDelaySeconds == other.ScaleDownDelaySeconds
        && TrafficRouted == other.TrafficRouted && Equals(Analysis, other.Analysis);

    public override int GetHashCode() => HashCode.Combine(CanaryService, StableService, Steps.Length, TrafficRouted);
}
