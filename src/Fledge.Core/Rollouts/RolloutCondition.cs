namespace Fledge.Core.Rollouts;

/// <summary>One condition of a rollout's status (Available, Progressing, ReplicaFailure).</summary>
public sealed record RolloutCondition(
    string Type,
    ConditionStatus Status,
    string Reason,
    string Message,
    DateTimeOffset LastUpdateTime,
    DateTimeOffset LastTransitionTime);
