using Fledge.Core.Rollouts;

namespace Fledge.Core.Planning;

/// <summary>
/// RollingUpdate: grow the new replica set within maxSurge, shrink old ones within maxUnavailable, one
/// direction per pass. Example, 4 replicas with maxUnavailable 50% and maxSurge 0: old 4 → 2, new 0 → 2,
/// old 2 → 0, new 2 → 4, never fewer than 2 available.
/// </summary>
internal static class RollingUpdateStrategy
{
    public static void Run(Pass pass)
    {
        var (newRs, oldRss) = Revisions.SyncRevision(pass, createIfMissing: true);
        var statusBefore = pass.Status;

        if (ReconcileNew(pass, newRs!))
        {
            Progress.SyncRolloutStatus(pass, Current(pass, newRs));
            return;
        }

        if (ReconcileOld(pass, newRs!, oldRss))
        {
            Progress.SyncRolloutStatus(pass, Current(pass, newRs));
            return;
        }

        if (Progress.IsComplete(pass, statusBefore))
        {
            Revisions.Cleanup(pass, oldRss);
        }

        Progress.SyncRolloutStatus(pass, Current(pass, newRs));
    }

    /// <summary>The replica set as it stands in the pass, after any scaling of it.</summary>
    internal static ReplicaSetState? Current(Pass pass, ReplicaSetState? rs)
    {
        if (rs is null)
        {
            return null;
        }

        foreach (var candidate in pass.ReplicaSets)
        {
            if (candidate.Name == rs.Name)
            {
                return candidate;
            }
        }

        return rs;
    }

    /// <summary>reconcileNewReplicaSet: shrink to the desired count if over it, otherwise grow within the surge.</summary>
    private static bool ReconcileNew(Pass pass, ReplicaSetState newRs)
    {
        var desired = pass.Spec.Replicas;
        if (newRs.Replicas == desired)
        {
            return false;
        }

        if (newRs.Replicas > desired)
        {
            pass.ScaleIfNeeded(newRs, desired, $"the new replica set has {newRs.Replicas} replicas, more than the {desired} desired", out var shrunk);
            return shrunk;
        }

        var existing = pass.TotalReplicas();
        var target = Fenceposts.NewReplicaSetReplicas(pass.Spec, existing, newRs);
        var allowed = desired + pass.Spec.Strategy.MaxSurge.Scaled(desired, roundUp: true);
        pass.ScaleIfNeeded(newRs, target,
            $"up to {allowed} replicas may exist ({desired} desired + maxSurge {pass.Spec.Strategy.MaxSurge}) and {existing} do: the new revision grows by {target - newRs.Replicas}",
            out var scaled);
        return scaled;
    }

    /// <summary>
    /// reconcileOldReplicaSets: how many old replicas may go is total - minAvailable - (new replicas not yet
    /// available). Unhealthy old replicas go first, then healthy ones while availability allows.
    /// </summary>
    private static bool ReconcileOld(Pass pass, ReplicaSetState newRs, OldReplicaSets oldRss)
    {
        var oldCount = 0;
        foreach (var rs in oldRss)
        {
            oldCount += rs.Replicas;
        }

        if (oldCount == 0)
        {
            return false;
        }

        var allCount = newRs.Replicas + oldCount;
        var minAvailable = Fenceposts.MinAvailable(pass.Spec);
        var newUnavailable = newRs.Replicas - newRs.AvailableReplicas;
        var maxScaledDown = allCount - minAvailable - newUnavailable;
        if (maxScaledDown <= 0)
        {
            return false;
        }

        var active = oldRss.ActiveByCreation();
        if (CleanupUnhealthy(pass, active, maxScaledDown) is not { } cleaned)
        {
            // The controller's "invalid request to scale down": it gives up on old replica sets until the next sync.
            return false;
        }

        var scaledDown = ScaleDownOld(pass, newRs, active, minAvailable);
        return cleaned + scaledDown > 0;
    }

    /// <summary>
    /// cleanupUnhealthyReplicas: remove old replicas that are not available, oldest replica set first. A replica set
    /// whose status still counts more available replicas than its spec asks for (its controller has not caught up with
    /// a scale-down) would be scaled up: as the Deployment controller does, nothing more is done with old replica sets
    /// in this pass (null), and the next pass sees the status caught up.
    /// </summary>
    private static int? CleanupUnhealthy(Pass pass, List<ReplicaSetState> oldRss, int maxCleanup)
    {
        var total = 0;
        for (var i = 0; i < oldRss.Count && total < maxCleanup; i++)
        {
            var rs = oldRss[i];
            if (rs.Replicas == 0 || rs.Replicas == rs.AvailableReplicas)
            {
                continue;
            }

            if (rs.AvailableReplicas > rs.Replicas)
            {
                return null;
            }

            var count = Math.Min(maxCleanup - total, rs.Replicas - rs.AvailableReplicas);
            oldRss[i] = pass.ScaleIfNeeded(rs, rs.Replicas - count,
                $"{rs.Replicas - rs.AvailableReplicas} old replicas of revision {rs.Revision} are not available: removing them first costs no availability",
                out _);
            total += count;
        }

        return total;
    }

    /// <summary>scaleDownOldReplicaSetsForRollingUpdate: remove available old replicas down to minAvailable, oldest first.</summary>
    private static int ScaleDownOld(Pass pass, ReplicaSetState newRs, List<ReplicaSetState> oldRss, int minAvailable)
    {
        var available = newRs.AvailableReplicas;
        foreach (var rs in oldRss)
        {
            available += rs.AvailableReplicas;
        }

        if (available <= minAvailable)
        {
            return 0;
        }

        var budget = available - minAvailable;
        var total = 0;
        foreach (var rs in oldRss)
        {
            if (total >= budget)
            {
                break;
            }

            if (rs.Replicas == 0)
            {
                continue;
            }

            var count = Math.Min(rs.Replicas, budget - total);
            pass.ScaleIfNeeded(rs, rs.Replicas - count,
                $"{available} replicas are available and {minAvailable} must stay available ({pass.Spec.Replicas} desired - maxUnavailable {Fenceposts.MaxUnavailable(pass.Spec)}): {count} old replicas of revision {rs.Revision} can go",
                out _);
            total += count;
        }

        return total;
    }
}
