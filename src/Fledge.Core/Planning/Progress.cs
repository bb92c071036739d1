using System.Collections.Immutable;
using Fledge.Core.Rollouts;

namespace Fledge.Core.Planning;

/// <summary>
/// Status and the Progressing condition: calculateStatus, syncRolloutStatus with the progress deadline,
/// and the paused / resumed conditions.
/// </summary>
internal static class Progress
{
    /// <summary>
    /// SetDeploymentCondition: no change when status and reason are the same; lastTransitionTime is kept
    /// when only the reason changes. The condition moves to the end of the list.
    /// </summary>
    public static RolloutStatus WithCondition(RolloutStatus status, RolloutCondition condition)
    {
        var current = status.Condition(condition.Type);
        if (current is not null && current.Status == condition.Status && current.Reason == condition.Reason)
        {
            return status;
        }

        if (current is not null && current.Status == condition.Status)
        {
            condition = condition with { LastTransitionTime = current.LastTransitionTime };
        }

        return status with { Conditions = Without(status.Conditions, condition.Type).Add(condition) };
    }

    public static RolloutStatus WithoutCondition(RolloutStatus status, string type) =>
        status.Condition(type) is null ? status : status with { Conditions = Without(status.Conditions, type) };

    /// <summary>calculateStatus: counts from the replica sets, conditions carried over, Available recomputed.</summary>
    public static RolloutStatus Calculate(Pass pass, ReplicaSetState? newRs)
    {
        int specTotal = 0, observed = 0, ready = 0, available = 0;
        foreach (var rs in pass.ReplicaSets)
        {
            specTotal += rs.Replicas;
            observed += rs.ObservedReplicas;
            ready += rs.ReadyReplicas;
            available += rs.AvailableReplicas;
        }

        var status = pass.Status with
        {
            ObservedGeneration = pass.Rollout.Generation,
            Replicas = observed,
            UpdatedReplicas = newRs?.ObservedReplicas ?? 0,
            ReadyReplicas = ready,
            AvailableReplicas = available,
            UnavailableReplicas = Math.Max(0, specTotal - available),
        };

        var condition = available >= Fenceposts.MinAvailable(pass.Spec)
            ? new RolloutCondition(ConditionTypes.Available, ConditionStatus.True, ConditionReasons.MinimumReplicasAvailable,
                "Deployment has minimum availability.", pass.Now, pass.Now)
            : new RolloutCondition(ConditionTypes.Available, ConditionStatus.False, ConditionReasons.MinimumReplicasUnavailable,
                "Deployment does not have minimum availability.", pass.Now, pass.Now);
        return WithCondition(status, condition);
    }

    /// <summary>syncDeploymentStatus: status without progress estimation (scaling and paused passes).</summary>
    public static void SyncStatus(Pass pass, ReplicaSetState? newRs) => pass.Status = Calculate(pass, newRs);

    /// <summary>
    /// syncRolloutStatus: the first matching case wins. Complete sets NewReplicaSetAvailable; any progress
    /// (more updated, fewer old, more ready, more available) sets ReplicaSetUpdated and resets the deadline
    /// clock; otherwise a deadline that passed sets ProgressDeadlineExceeded. With no progress, the pass
    /// asks to be run again when the deadline would pass.
    /// </summary>
    public static void SyncRolloutStatus(Pass pass, ReplicaSetState? newRs)
    {
        var previous = pass.Status;
        var status = Calculate(pass, newRs);
        var deadline = pass.Spec.ProgressDeadlineSeconds;
        if (deadline is null)
        {
            status = WithoutCondition(status, ConditionTypes.Progressing);
        }

        var current = previous.Condition(ConditionTypes.Progressing);
        var isComplete = status.Replicas == status.UpdatedReplicas && current?.Reason == ConditionReasons.NewReplicaSetAvailable;
        if (deadline is not null && !isComplete)
        {
            var subject = newRs is null ? $"Deployment \"{pass.Rollout.Name}\"" : $"ReplicaSet \"{newRs.Name}\"";
            if (IsComplete(pass, status))
            {
                status = WithCondition(status, new RolloutCondition(ConditionTypes.Progressing, ConditionStatus.True,
                    ConditionReasons.NewReplicaSetAvailable, $"{subject} has successfully progressed.", pass.Now, pass.Now));
            }
            else if (IsProgressing(previous, status))
            {
                var condition = new RolloutCondition(ConditionTypes.Progressing, ConditionStatus.True,
                    ConditionReasons.ReplicaSetUpdated, $"{subject} is progressing.", pass.Now, pass.Now);
                if (current is not null)
                {
                    if (current.Status == ConditionStatus.True)
                    {
                        condition = condition with { LastTransitionTime = current.LastTransitionTime };
                    }

                    status = WithoutCondition(status, ConditionTypes.Progressing);
                }

                status = WithCondition(status, condition);
            }
            else if (HasTimedOut(pass, status))
            {
                status = WithCondition(status, new RolloutCondition(ConditionTypes.Progressing, ConditionStatus.False,
                    ConditionReasons.ProgressDeadlineExceeded, $"{subject} has timed out progressing.", pass.Now, pass.Now));
            }
        }

        if (status.Equals(previous))
        {
            pass.RequeueAfter = RequeueForDeadline(pass, status);
        }

        pass.Status = status;
    }

    /// <summary>DeploymentComplete: every desired replica is updated and available, and no old replica is left.</summary>
    public static bool IsComplete(Pass pass, RolloutStatus status)
    {
        var desired = pass.Spec.Replicas;
        return status.UpdatedReplicas == desired
            && status.Replicas == desired
            && status.AvailableReplicas == desired
            && status.ObservedGeneration >= pass.Rollout.Generation;
    }

    /// <summary>checkPausedConditions: Progressing=Unknown DeploymentPaused / DeploymentResumed, unless timed out.</summary>
    public static void CheckPaused(Pass pass)
    {
        if (pass.Spec.ProgressDeadlineSeconds is null)
        {
            return;
        }

        var condition = pass.Status.Condition(ConditionTypes.Progressing);
        if (condition?.Reason == ConditionReasons.ProgressDeadlineExceeded)
        {
            return;
        }

        var pausedConditionExists = condition?.Reason == ConditionReasons.DeploymentPaused;
        if (pass.Spec.Paused && !pausedConditionExists)
        {
            pass.Status = WithCondition(pass.Status, new RolloutCondition(ConditionTypes.Progressing, ConditionStatus.Unknown,
                ConditionReasons.DeploymentPaused, "Deployment is paused", pass.Now, pass.Now));
        }
        else if (!pass.Spec.Paused && pausedConditionExists)
        {
            pass.Status = WithCondition(pass.Status, new RolloutCondition(ConditionTypes.Progressing, ConditionStatus.Unknown,
                ConditionReasons.DeploymentResumed, "Deployment is resumed", pass.Now, pass.Now));
        }
    }

    private static bool IsProgressing(RolloutStatus previous, RolloutStatus next)
    {
        var previousOld = previous.Replicas - previous.UpdatedReplicas;
        var nextOld = next.Replicas - next.UpdatedReplicas;
        return next.UpdatedReplicas > previous.UpdatedReplicas
            || nextOld < previousOld
            || next.ReadyReplicas > previous.ReadyReplicas
            || next.AvailableReplicas > previous.AvailableReplicas;
    }

    private static bool HasTimedOut(Pass pass, RolloutStatus status)
    {
        var condition = status.Condition(ConditionTypes.Progressing);
        if (condition is null || condition.Reason == ConditionReasons.NewReplicaSetAvailable)
        {
            return false;
        }

        if (condition.Reason == ConditionReasons.ProgressDeadlineExceeded)
        {
            return true;
        }

        return condition.LastUpdateTime + TimeSpan.FromSeconds(pass.Spec.ProgressDeadlineSeconds!.Value) < pass.Now;
    }

    /// <summary>requeueStuckDeployment: when nothing changed, look again one second after the deadline would pass.</summary>
    private static TimeSpan? RequeueForDeadline(Pass pass, RolloutStatus status)
    {
        var condition = pass.Status.Condition(ConditionTypes.Progressing);
        if (pass.Spec.ProgressDeadlineSeconds is not { } deadline || condition is null)
        {
            return null;
        }

        if (IsComplete(pass, status) || condition.Reason == ConditionReasons.ProgressDeadlineExceeded)
        {
            return null;
        }

        // Kubernetes requeues rate-limited (after milliseconds) when less than a second is left; a whole
        // second keeps a virtual clock moving and lands on the same instant as the ordinary case.
        var after = condition.LastUpdateTime + TimeSpan.FromSeconds(deadline) - pass.Now;
        return after < TimeSpan.FromSeconds(1) ? TimeSpan.FromSeconds(1) : after + TimeSpan.FromSeconds(1);
    }

    private static ImmutableArray<RolloutCondition> Without(ImmutableArray<RolloutCondition> conditions, string type)
    {
        for (var i = 0; i < conditions.Length; i++)
        {
            if (conditions[i].Type == type)
            {
                return conditions.RemoveAt(i);
            }
        }

        return conditions;
    }
}
