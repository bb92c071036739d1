namespace Fledge.Core.Rollouts;

/// <summary>Condition types of a rollout.</summary>
public static class ConditionTypes
{
    /// <summary>At least the minimum number of replicas (replicas minus maxUnavailable) is available.</summary>
    public const string Available = "Available";

    /// <summary>The rollout is making progress, has completed, or has stopped within its deadline.</summary>
    public const string Progressing = "Progressing";

    /// <summary>A replica set could not create or delete replicas.</summary>
    public const string ReplicaFailure = "ReplicaFailure";
}
