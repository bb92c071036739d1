using Fledge.Core.Rollouts;

namespace Fledge.Core.Planning;

/// <summary>
/// The rollout planner: given what is true now, returns the actions of one reconcile pass. It never
/// sleeps, does I/O or reads the clock, so the simulator, the local runtime and Kubernetes share it.
/// The order of steps is the Kubernetes Deployment controller's syncDeployment.
/// </summary>
public static class Planner
{
    public static RolloutPlan Plan(RolloutSnapshot snapshot)
    {
        var pass = new Pass(snapshot);
        if (pass.Spec.Strategy.Type != StrategyType.Canary)
        {
            // An experiment's replica sets outlive no change of strategy.
            Experiments.Retire(pass, current: null);
        }

        if (pass.Spec.Strategy.Type == StrategyType.Canary)
        {
            CanaryStrategyPlanner.Run(pass);
            return pass.Finish(static p => CanaryReason(p.Status));
        }

        if (pass.Spec.Strategy.Type == StrategyType.BlueGreen)
        {
            BlueGreenStrategyPlanner.Run(pass);
            return pass.Finish(static p => CanaryReason(p.Status));
        }

        Progress.CheckPaused(pass);

        if (pass.Spec.Paused)
        {
            Sync(pass, cleanup: true);
            return pass.Finish(static _ => "paused: replica counts follow spec.replicas, the rollout does not progress");
        }

        if (IsScalingEvent(pass))
        {
            Sync(pass, cleanup: false);
            return pass.Finish(static p => $"spec.replicas changed to {p.Spec.Replicas}: replica sets scaled in proportion");
        }

        if (pass.Spec.Strategy.Type == StrategyType.Recreate)
        {
            RecreateStrategy.Run(pass);
        }
        else
        {
            RollingUpdateStrategy.Run(pass);
        }

        return pass.Finish(static p => StatusReason(p.Status));
    }

    /// <summary>sync: proportional scaling and status, used for paused rollouts and scaling events.</summary>
    private static void Sync(Pass pass, bool cleanup)
    {
        var (newRs, oldRss) = Revisions.SyncRevision(pass, createIfMissing: false);
        ProportionalScaling.Scale(pass, newRs, oldRss);
        if (cleanup)
        {
            Revisions.Cleanup(pass, oldRss);
        }

        Progress.SyncStatus(pass, RollingUpdateStrategy.Current(pass, newRs));
    }

    /// <summary>
    /// isScalingEvent: an active replica set was sized for a different spec.replicas than the current one.
    /// Syncs revisions as a side effect, as the controller does.
    /// </summary>
    private static bool IsScalingEvent(Pass pass)
    {
        var (newRs, oldRss) = Revisions.SyncRevision(pass, createIfMissing: false);
        if (newRs is { IsActive: true } && newRs.DesiredReplicasAnnotation is { } newDesired && newDesired != pass.Spec.Replicas)
        {
            return true;
        }

        foreach (var rs in oldRss)
        {
            if (rs.IsActive && rs.DesiredReplicasAnnotation is { } desired && desired != pass.Spec.Replicas)
            {
                return true;
            }
        }

        return false;
    }

    private static string CanaryReason(RolloutStatus status)
    {
        var canary = status.Canary!;
        var summary = $"{canary.Phase}, step {canary.CurrentStepIndex}, weight {canary.Weight}%";
        return canary.Message.Length == 0 ? summary : $"{summary}: {canary.Message}";
    }

    private static string StatusReason(RolloutStatus status)
    {
        var progressing = status.Condition(ConditionTypes.Progressing);
        var summary = $"{status.UpdatedReplicas} updated, {status.AvailableReplicas} available of {status.Replicas} replicas";
        return progressing is null ? summary : $"{summary}; Progressing={progressing.Status} ({progressing.Reason})";
    }
}
