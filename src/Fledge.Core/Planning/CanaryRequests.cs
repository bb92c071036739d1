using Fledge.Core.Rollouts;

namespace Fledge.Core.Planning;

/// <summary>What a person can ask of a canary rollout.</summary>
public enum CanaryRequest
{
    /// <summary>End the current pause (`rollout promote`).</summary>
    Promote,

    /// <summary>Skip the remaining steps (`rollout promote --full`).</summary>
    PromoteFull,

    /// <summary>Send all traffic back to the stable revision and scale the canary down (`rollout abort`).</summary>
    Abort,

    /// <summary>Start an aborted canary's steps again (`rollout retry`).</summary>
    Retry,
}

/// <summary>Records a request in the canary's status, where the planner acts on it.</summary>
public static class CanaryRequests
{
    /// <summary>The status after the request, or null with the reason it does not apply.</summary>
    public static (CanaryStatus? Status, string Message) Apply(Rollout rollout, CanaryRequest request, DateTimeOffset now)
    {
        var canary = rollout.Status.Canary;
        if (rollout.Spec.Strategy.Canary is null && rollout.Spec.Strategy.BlueGreen is null || canary is null)
        {
            return (null, $"\"{rollout.Name}\" is not a canary or blue-green rollout; promote, abort and retry apply to those");
        }

        var inProgress = canary.CanaryReplicaSet is not null;
        return request switch
        {
            _ when !inProgress && request != CanaryRequest.Retry => (null, $"\"{rollout.Name}\" has no new revision in progress (it is {canary.Phase})"),
            CanaryRequest.Promote => (canary with { SkipPause = true }, $"rollout \"{rollout.Name}\" promoted: the current pause ends"),
            CanaryRequest.PromoteFull => (canary with { PromoteFull = true }, $"rollout \"{rollout.Name}\" fully promoted: the remaining steps are skipped"),
            CanaryRequest.Abort when canary.Aborted => (null, $"rollout \"{rollout.Name}\" is already aborted"),
            CanaryRequest.Abort => (canary with
            {
                Aborted = true,
                AbortedAt = now,
                Message = $"RolloutAborted: Rollout aborted update to revision {Revision(rollout)} by request",
            }, $"rollout \"{rollout.Name}\" aborted: all traffic goes back to the stable revision"),
            CanaryRequest.Retry when !canary.Aborted => (null, $"rollout \"{rollout.Name}\" is not aborted; nothing to retry"),
            _ => (canary with { Aborted = false, AbortedAt = null, CurrentStepIndex = 0, PauseStartTime = null, Message = "", StepAnalysis = null, BackgroundAnalysis = null },
                $"rollout \"{rollout.Name}\" retried: the canary's steps start again"),
        };
    }

    private static string Revision(Rollout rollout) =>
        rollout.Annotations.TryGetValue(Annotations.Revision, out var revision) ? revision : "?";
}
