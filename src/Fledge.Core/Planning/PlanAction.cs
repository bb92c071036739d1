using System.Collections.Immutable;
using Fledge.Core.Rollouts;

namespace Fledge.Core.Planning;

/// <summary>One thing a reconcile pass decided to do, with the reason a person can read.</summary>
public abstract record PlanAction(string Reason);

/// <summary>Create a replica set for the rollout's current template.</summary>
public sealed record CreateReplicaSet(ReplicaSetState ReplicaSet, string Reason) : PlanAction(Reason);

/// <summary>Change a replica set's size; the desired/max replica annotations are written with it.</summary>
public sealed record ScaleReplicaSet(string Name, int From, int To, int DesiredReplicas, int MaxReplicas, string Reason)
    : PlanAction(Reason)
{
    /// <summary>The replica set as a platform records it after this action.</summary>
    public ReplicaSetState ApplyTo(ReplicaSetState rs) =>
        rs with { Replicas = To, DesiredReplicasAnnotation = DesiredReplicas, MaxReplicasAnnotation = MaxReplicas };
}

/// <summary>Rewrite a replica set's annotations without scaling it (revision, history, copied annotations).</summary>
public sealed record AnnotateReplicaSet(
    string Name,
    long Revision,
    string? RevisionHistory,
    int? DesiredReplicas,
    int? MaxReplicas,
    ImmutableSortedDictionary<string, string> Annotations,
    string Reason) : PlanAction(Reason)
{
    /// <summary>The replica set as a platform records it after this action.</summary>
    public ReplicaSetState ApplyTo(ReplicaSetState rs) => rs with
    {
        Revision = Revision,
        RevisionHistory = RevisionHistory,
        DesiredReplicasAnnotation = DesiredReplicas,
        MaxReplicasAnnotation = MaxReplicas,
        Annotations = Annotations,
    };
}

/// <summary>Delete a scaled-down replica set beyond revisionHistoryLimit.</summary>
public sealed record DeleteReplicaSet(string Name, long Revision, string Reason) : PlanAction(Reason);

/// <summary>Set the rollout's revision annotation to its new replica set's revision.</summary>
public sealed record SetRolloutRevision(long Revision, string Reason) : PlanAction(Reason);

/// <summary>Write the rollout's status.</summary>
public sealed record UpdateRolloutStatus(RolloutStatus Status, string Reason) : PlanAction(Reason);

/// <summary>Split the rollout's traffic: <see cref="Weight"/> percent to the canary, the rest to the stable replica set.</summary>
public sealed record SetTrafficWeight(string StableReplicaSet, string CanaryReplicaSet, int Weight, string Reason) : PlanAction(Reason);

/// <summary>Record an event on the rollout, as `kubectl describe` shows them.</summary>
public sealed record RecordEvent(string Type, string EventReason, string Message) : PlanAction(Message)
{
    public const string Normal = "Normal";
    public const string Warning = "Warning";
}
