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
    public bool Equals(CanaryStrategy? other) =>
        other is not null && CanaryService == other.CanaryService && StableService == other.StableService
        && Steps.SequenceEqual(other.Steps) && MaxSurge == other.MaxSurge && MaxUnavailable == other.MaxUnavailable
        && AbortScaleDownDelaySeconds == other.AbortScaleDownDelaySeconds && ScaleDownDelaySeconds == other.ScaleDownDelaySeconds
        && TrafficRouted == other.TrafficRouted;

    public override int GetHashCode() => HashCode.Combine(CanaryService, StableService, Steps.Length, TrafficRouted);
}
