namespace Fledge.Core.Rollouts;

/// <summary>How a rollout replaces old replicas with new ones.</summary>
public enum StrategyType
{
    RollingUpdate,
    Recreate,

    /// <summary>Steps of traffic weights and pauses before the new revision becomes stable.</summary>
    Canary,

    /// <summary>The new revision runs beside the active one and takes all traffic at once when promoted.</summary>
    BlueGreen,
}
