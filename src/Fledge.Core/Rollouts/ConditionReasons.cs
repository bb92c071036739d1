namespace Fledge.Core.Rollouts;

/// <summary>Condition reasons, spelled exactly as the Kubernetes Deployment controller spells them.</summary>
public static class ConditionReasons
{
    /// <summary>Available=True: at least replicas minus maxUnavailable replicas are available.</summary>
    public const string MinimumReplicasAvailable = "MinimumReplicasAvailable";

    /// <summary>Available=False: fewer than replicas minus maxUnavailable replicas are available.</summary>
    public const string MinimumReplicasUnavailable = "MinimumReplicasUnavailable";

    /// <summary>Progressing=True: the controller created the new replica set in this pass.</summary>
    public const string NewReplicaSetCreated = "NewReplicaSetCreated";

    /// <summary>Progressing=True: the new replica set already existed when progress was first recorded.</summary>
    public const string FoundNewReplicaSet = "FoundNewReplicaSet";

    /// <summary>Progressing=True: replicas were updated, removed, became ready or available; resets the deadline clock.</summary>
    public const string ReplicaSetUpdated = "ReplicaSetUpdated";

    /// <summary>Progressing=True: the rollout is complete; it can no longer time out.</summary>
    public const string NewReplicaSetAvailable = "NewReplicaSetAvailable";

    /// <summary>Progressing=False: no progress for progressDeadlineSeconds.</summary>
    public const string ProgressDeadlineExceeded = "ProgressDeadlineExceeded";

    /// <summary>Progressing=Unknown: the rollout was paused; the deadline clock stops.</summary>
    public const string DeploymentPaused = "DeploymentPaused";

    /// <summary>Progressing=Unknown: the rollout was resumed; the deadline clock restarts.</summary>
    public const string DeploymentResumed = "DeploymentResumed";

    /// <summary>Progressing=Unknown: a canary step (or spec.paused) holds the rollout; the deadline clock stops.</summary>
    public const string RolloutPaused = "RolloutPaused";

    /// <summary>Progressing=Unknown: a canary or blue-green pause ended (promoted, or its time passed); the deadline clock restarts.</summary>
    public const string RolloutResumed = "RolloutResumed";

    /// <summary>Progressing=False: the canary was aborted (by a person or a failed analysis); traffic is back on stable.</summary>
    public const string RolloutAborted = "RolloutAborted";

    /// <summary>Progressing=False: the new replica set could not be created.</summary>
    public const string ReplicaSetCreateError = "ReplicaSetCreateError";
}
