namespace Fledge.Core.Rollouts;

/// <summary>The strategy of a rollout with its defaults applied.</summary>
public sealed record RolloutStrategy(StrategyType Type, IntOrPercent MaxSurge, IntOrPercent MaxUnavailable)
{
    /// <summary>The canary's steps and services; set when <see cref="Type"/> is Canary.</summary>
    public CanaryStrategy? Canary { get; init; }

    /// <summary>The active and preview Services and promotion rules; set when <see cref="Type"/> is BlueGreen.</summary>
    public BlueGreenStrategy? BlueGreen { get; init; }

    /// <summary>apps/v1 defaults: RollingUpdate with 25% surge and 25% unavailable.</summary>
    public static RolloutStrategy Default { get; } =
        new(StrategyType.RollingUpdate, IntOrPercent.Percent(25), IntOrPercent.Percent(25));

    public static RolloutStrategy Recreate { get; } = new(StrategyType.Recreate, default, default);
}
