using Fledge.Core.Rollouts;

namespace Fledge.Core.Planning;

/// <summary>
/// Recreate: scale every old replica set to zero, wait until no old replica is left (terminating ones
/// included), then create the new replica set at full size.
/// </summary>
internal static class RecreateStrategy
{
    public static void Run(Pass pass)
    {
        var (newRs, oldRss) = Revisions.SyncRevision(pass, createIfMissing: false);
        var statusBefore = pass.Status;

        var scaledDown = false;
        foreach (var rs in oldRss)
        {
            if (rs.IsActive)
            {
                pass.ScaleIfNeeded(rs, 0, "Recreate: every old replica stops before the new revision starts", out var scaled);
                scaledDown |= scaled;
            }
        }

        if (scaledDown || OldReplicasRunning(oldRss))
        {
            Progress.SyncRolloutStatus(pass, RollingUpdateStrategy.Current(pass, newRs));
            return;
        }

        if (newRs is null)
        {
            (newRs, oldRss) = Revisions.SyncRevision(pass, createIfMissing: true);
        }

        pass.ScaleIfNeeded(newRs!, pass.Spec.Replicas, "Recreate: no old replica is left, so the new revision starts at full size", out _);
        if (Progress.IsComplete(pass, statusBefore))
        {
            Revisions.Cleanup(pass, oldRss);
        }

        Progress.SyncRolloutStatus(pass, RollingUpdateStrategy.Current(pass, newRs));
    }

    /// <summary>oldPodsRunning: any old replica exists, running or still terminating.</summary>
    private static bool OldReplicasRunning(OldReplicaSets oldRss)
    {
        foreach (var rs in oldRss)
        {
            if (rs.ObservedReplicas > 0 || rs.TerminatingReplicas > 0)
            {
                return true;
            }
        }

        return false;
    }
}
