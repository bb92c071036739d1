namespace Fledge.Local.Replicas;

/// <summary>Where a replica is in its life, as `get pods` shows it.</summary>
public enum ReplicaPhase
{
    /// <summary>Created, its process not started yet.</summary>
    Pending,

    /// <summary>Its process runs.</summary>
    Running,

    /// <summary>Taken out of every Service, being stopped gracefully.</summary>
    Terminating,

    /// <summary>Its process exited; it is restarted after a back-off that doubles from 10 s up to 5 minutes.</summary>
    CrashLoopBackOff,

    /// <summary>It cannot start (no command for its image, an executable that does not exist); retried with back-off.</summary>
    Failed,
}
