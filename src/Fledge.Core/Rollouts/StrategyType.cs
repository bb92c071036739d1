namespace Fledge.Core.Rollouts;

/// <summary>How a rollout replaces old replicas with new ones.</summary>
public enum StrategyType
{
    RollingUpdate,
    Recreate,
}
