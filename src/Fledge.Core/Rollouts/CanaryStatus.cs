namespace Fledge.Core.Rollouts;

/// <summary>Phases of a rollout as Argo Rollouts names them.</summary>
public static class RolloutPhases
{
    public const string Healthy = "Healthy";
    public const string Progressing = "Progressing";
    public const string Paused = "Paused";
    public const string Degraded = "Degraded";
}

/// <summary>
/// Where a canary rollout is: its phase and step, which replica set is stable and which is the canary, the
/// canary's share of traffic, and the requests people made of it (promote, promote --full, abort), which the
/// planner acts on.
/// </summary>
public sealed record CanaryStatus(
    string Phase,
    string Message,
    int CurrentStepIndex,
    string? StableReplicaSet,
    string? CanaryReplicaSet,
    int Weight)
{
    /// <summary>When the current pause step began.</summary>
    public DateTimeOffset? PauseStartTime { get; init; }

    /// <summary>Set by `rollout abort`, cleared by `rollout retry` or a new version.</summary>
    public bool Aborted { get; init; }

    public DateTimeOffset? AbortedAt { get; init; }

    /// <summary>Set by `rollout promote --full`: skip the remaining steps.</summary>
    public bool PromoteFull { get; init; }

    /// <summary>Set by `rollout promote`: end the current pause.</summary>
    public bool SkipPause { get; init; }

    /// <summary>After a promotion, the previous stable replica set is scaled down at this time.</summary>
    public DateTimeOffset? ScaleDownAt { get; init; }

    public static CanaryStatus Initial { get; } = new(RolloutPhases.Progressing, "", 0, null, null, 0);
}
