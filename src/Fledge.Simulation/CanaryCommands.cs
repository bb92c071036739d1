using Fledge.Core.Rollouts;

namespace Fledge.Simulation;

/// <summary>promote, promote --full, abort and retry: requests a person makes of a canary, recorded in its status.</summary>
public static class CanaryCommands
{
    /// <summary>Applies the request to the status and returns what happened, for the timeline.</summary>
    internal static string Apply(SimulatedCluster cluster, ScriptedAction action, DateTimeOffset now)
    {
        var rollout = cluster.Rollout;
        var (status, message) = Apply(rollout, action, now);
        cluster.Rollout = rollout with { Status = rollout.Status with { Canary = status } };
        return message;
    }

    /// <summary>The canary status after the request, or the reason it does not apply.</summary>
    public static (CanaryStatus? Status, string Message) Apply(Rollout rollout, ScriptedAction action, DateTimeOffset now)
    {
        var canary = rollout.Status.Canary;
        if (rollout.Spec.Strategy.Canary is null || canary is null)
        {
            return (canary, $"{action}: \"{rollout.Name}\" is not a canary rollout; nothing to do");
        }

        return action switch
        {
            ScriptedAction.Promote => (canary with { SkipPause = true }, $"{rollout.Name} promoted: the current pause ends"),
            ScriptedAction.PromoteFull => (canary with { PromoteFull = true }, $"{rollout.Name} fully promoted: the remaining steps are skipped"),
            ScriptedAction.Abort => (canary with { Aborted = true, AbortedAt = now, Message = $"RolloutAborted: Rollout aborted update to revision {CanaryRevision(rollout)} by request" },
                $"{rollout.Name} aborted: all traffic goes back to the stable revision"),
            ScriptedAction.Retry => (canary with { Aborted = false, AbortedAt = null, CurrentStepIndex = 0, PauseStartTime = null, Message = "" },
                $"{rollout.Name} retried: the canary's steps start again"),
            _ => (canary, $"{action} is not a canary request"),
        };
    }

    private static string CanaryRevision(Rollout rollout) =>
        rollout.Annotations.TryGetValue(Annotations.Revision, out var revision) ? revision : "?";
}
