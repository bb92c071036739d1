using Fledge.Core.Rollouts;

namespace Fledge.Core.Planning;

/// <summary>Argo's rollbackWindow and progressDeadlineAbort, for canary and blue-green updates alike.</summary>
internal static class ArgoGuards
{
    /// <summary>
    /// A new version that is one of the last spec.rollbackWindow.revisions revisions before the stable (active) one — an
    /// undo, or the old template applied again — goes straight to full promotion: its steps and analysis are skipped.
    /// </summary>
    public static CanaryStatus RollbackWithinWindow(Pass pass, CanaryStatus status, ReplicaSetState stable, ReplicaSetState newRs)
    {
        var window = pass.Spec.RollbackWindowRevisions;
        if (window <= 0 || newRs.CreatedAt >= stable.CreatedAt)
        {
            return status;
        }

        var between = pass.ReplicaSets.Count(rs => rs.CreatedAt > newRs.CreatedAt && rs.CreatedAt < stable.CreatedAt);
        if (between >= window)
        {
            return status;
        }

        pass.Event(RecordEvent.Normal, "RollbackWithinWindow",
            $"revision {newRs.Revision} was running {between + 1} revision(s) before the stable one, within rollbackWindow ({window}): promoted at once, without steps or analysis");
        return status with { PromoteFull = true };
    }

    /// <summary>With progressDeadlineAbort, an update whose progress deadline passed is aborted (once).</summary>
    public static bool DeadlineAbort(Pass pass, CanaryStatus status) =>
        pass.Spec.ProgressDeadlineAbort && !status.Aborted
        && pass.Status.Condition(ConditionTypes.Progressing)?.Reason == ConditionReasons.ProgressDeadlineExceeded;
}
