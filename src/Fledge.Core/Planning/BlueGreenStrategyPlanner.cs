using Fledge.Core.Rollouts;

namespace Fledge.Core.Planning;

/// <summary>
/// Blue-green (Argo Rollouts' semantics): the new revision comes up beside the active one (previewReplicaCount
/// replicas, reachable through the preview Service), optionally passes prePromotionAnalysis, waits for
/// promotion (at once by default, after autoPromotionSeconds, or for `rollout promote` when
/// autoPromotionEnabled is false), grows to full size, and then the active Service switches to it in one
/// step. The old revision stays up for scaleDownDelaySeconds so that going back is instant; a failed
/// postPromotionAnalysis switches back. The status is kept in <see cref="CanaryStatus"/>: the active replica
/// set as StableReplicaSet, the preview as CanaryReplicaSet.
/// </summary>
internal static class BlueGreenStrategyPlanner
{
    public const int PreAnalysisStep = -2;
    public const int PostAnalysisStep = -3;

    public static void Run(Pass pass)
    {
        var (newRs, _) = Revisions.SyncRevision(pass, createIfMissing: true);
        var blueGreen = pass.Spec.Strategy.BlueGreen!;
        var status = pass.Status.Canary ?? CanaryStatus.Initial;
        var active = pass.Find(status.StableReplicaSet);
        if (active is null)
        {
            // What runs stays active while the new template comes up as the preview; a brand-new rollout is active at once.
            active = CanaryStrategyPlanner.RunningBefore(pass, newRs!) ?? newRs!;
            status = status with { StableReplicaSet = active.Name, CanaryReplicaSet = null };
        }

        status = active.Name == newRs!.Name
            ? Active(pass, blueGreen, status, newRs)
            : Preview(pass, blueGreen, status, active, newRs);
        CanaryStrategyPlanner.Finish(pass, status, RollingUpdateStrategy.Current(pass, newRs));
    }

    /// <summary>The new revision is active: keep it full, retire the others after the delay, judge the post-promotion analysis.</summary>
    private static CanaryStatus Active(Pass pass, BlueGreenStrategy blueGreen, CanaryStatus status, ReplicaSetState active)
    {
        var desired = pass.Spec.Replicas;
        active = pass.ScaleIfNeeded(active, desired, $"the active revision {active.Revision} runs all {desired} replicas", out _);
        var analysing = false;
        if (status.BackgroundAnalysis is { } run && blueGreen.PostPromotionAnalysis is { } post)
        {
            var (phase, message, next) = Judge(pass, run, post);
            switch (phase)
            {
                case Analysis.AnalysisPhase.Failed or Analysis.AnalysisPhase.Error when pass.Find(status.PreviousReplicaSet) is { } previous:
                    pass.Event(RecordEvent.Warning, "RolloutAborted", $"Rollout aborted update: {message}; the active Service goes back to revision {previous.Revision}");
                    return status with
                    {
                        StableReplicaSet = previous.Name, CanaryReplicaSet = active.Name, PreviousReplicaSet = null, BackgroundAnalysis = null,
                        Aborted = true, AbortedAt = pass.Now, Phase = RolloutPhases.Degraded, Message = $"RolloutAborted: {message}",
                    };
                case Analysis.AnalysisPhase.Running:
                    analysing = true;
                    Requeue(pass, next);
                    break;
                default:
                    status = status with { BackgroundAnalysis = null };
                    break;
            }
        }

        var othersRunning = false;
        var pastLimit = ScaleDownDelay.PastLimit(pass, active.Name, blueGreen.ScaleDownDelayRevisionLimit);
        foreach (var rs in pass.ReplicaSets)
        {
            if (rs.Name == active.Name || !rs.IsActive)
            {
                continue;
            }

            if (pastLimit.Contains(rs.Name))
            {
                pass.ScaleIfNeeded(rs, 0, $"revision {rs.Revision} is past scaleDownDelayRevisionLimit ({blueGreen.ScaleDownDelayRevisionLimit}): scale it down now", out _);
                continue;
            }

            if (analysing || status.ScaleDownAt is { } at && at > pass.Now)
            {
                pass.RequeueWithin(status.ScaleDownAt is { } when && when > pass.Now ? when - pass.Now : null);
                othersRunning = true;
                continue;
            }

            pass.ScaleIfNeeded(rs, 0, $"revision {rs.Revision} is no longer active: scale it down (scaleDownDelaySeconds passed)", out _);
        }

        var healthy = !othersRunning && !analysing && active.AvailableReplicas >= desired;
        return status.Settled() with
        {
            Phase = healthy ? RolloutPhases.Healthy : RolloutPhases.Progressing,
            Message = analysing ? "post-promotion analysis running"
                : healthy ? ""
                : active.AvailableReplicas < desired ? $"the active revision is scaling up ({active.AvailableReplicas} of {desired} available)"
                : status.ScaleDownAt is { } until && until > pass.Now ? $"the previous revision is kept for scaleDownDelaySeconds, until {until.UtcDateTime:HH:mm:ss}Z"
                : "the previous revisions are scaling down",
            PreviousReplicaSet = healthy ? null : status.PreviousReplicaSet,
            StepAnalysis = null,
            ScaleDownAt = healthy ? null : status.ScaleDownAt,
        };
    }

    /// <summary>The new revision is the preview: bring it up, analyse it, wait for promotion, then switch.</summary>
    private static CanaryStatus Preview(Pass pass, BlueGreenStrategy blueGreen, CanaryStatus status, ReplicaSetState active, ReplicaSetState preview)
    {
        var desired = pass.Spec.Replicas;
        if (status.CanaryReplicaSet != preview.Name)
        {
            status = status with
            {
                CanaryReplicaSet = preview.Name, PauseStartTime = null, Aborted = false, AbortedAt = null,
                PromoteFull = false, SkipPause = false, StepAnalysis = null, BackgroundAnalysis = null, ScaleDownAt = null,
            };
            status = ArgoGuards.RollbackWithinWindow(pass, status, active, preview);
        }

        if (ArgoGuards.DeadlineAbort(pass, status))
        {
            var why = $"revision {preview.Revision} made no progress for progressDeadlineSeconds ({pass.Spec.ProgressDeadlineSeconds}s) and progressDeadlineAbort is set";
            pass.Event(RecordEvent.Warning, "RolloutAborted", $"Rollout aborted update: {why}");
            status = status with { Aborted = true, AbortedAt = pass.Now, Message = $"RolloutAborted: {why}" };
        }

        foreach (var rs in pass.ReplicaSets)
        {
            if (rs.IsActive && rs.Name != active.Name && rs.Name != preview.Name)
            {
                pass.ScaleIfNeeded(rs, 0, $"revision {rs.Revision} is neither active nor the preview: scale it down", out _);
            }
        }

        pass.ScaleIfNeeded(active, desired, $"the active revision {active.Revision} keeps all {desired} replicas until the switch", out _);
        if (status.Aborted)
        {
            var scaleDownAt = (status.AbortedAt ?? pass.Now) + TimeSpan.FromSeconds(blueGreen.AbortScaleDownDelaySeconds);
            if (blueGreen.KeepsAbortedPreview)
            {
                // abortScaleDownDelaySeconds: 0 — Argo's meaning: the preview stays up (without users) until the next version
            }
            else if (pass.Now >= scaleDownAt)
            {
                pass.ScaleIfNeeded(preview, 0, "the rollout was aborted: scale the preview down", out _);
            }
            else
            {
                pass.RequeueWithin(scaleDownAt - pass.Now);
            }

            return status with { Phase = RolloutPhases.Degraded, AbortedAt = status.AbortedAt ?? pass.Now };
        }

        if (pass.Spec.Paused)
        {
            return status with { Phase = RolloutPhases.Paused, Message = "paused by spec.paused; resume it to go on" };
        }

        var previewTarget = Math.Min(desired, blueGreen.PreviewReplicaCount ?? desired);
        if (!Reach(pass, ref preview, status.PromoteFull ? desired : previewTarget, "the preview"))
        {
            return status with { Phase = RolloutPhases.Progressing, Message = $"waiting for {previewTarget} preview replicas to be available" };
        }

        if (!status.PromoteFull && blueGreen.PrePromotionAnalysis is { } pre)
        {
            var run = status.StepAnalysis ?? new AnalysisRunStatus($"{pass.Rollout.Name}-{preview.Revision}-pre", PreAnalysisStep, pass.Now, []);
            status = status with { StepAnalysis = run };
            var (phase, message, next) = Judge(pass, run, pre);
            switch (phase)
            {
                case Analysis.AnalysisPhase.Failed or Analysis.AnalysisPhase.Error:
                    pass.Event(RecordEvent.Warning, "RolloutAborted", $"Rollout aborted update: {message}");
                    return status with { Aborted = true, AbortedAt = pass.Now, Phase = RolloutPhases.Degraded, Message = $"RolloutAborted: {message}" };
                case Analysis.AnalysisPhase.Inconclusive when !status.SkipPause:
                    return status with { Phase = RolloutPhases.Paused, Message = $"InconclusiveAnalysis: {message}; promote to go on, abort to roll back" };
                case Analysis.AnalysisPhase.Running:
                    Requeue(pass, next);
                    return status with { Phase = RolloutPhases.Progressing, Message = $"pre-promotion analysis {run.Name} running" };
            }
        }

        if (!status.PromoteFull && !status.SkipPause)
        {
            var started = status.PauseStartTime ?? pass.Now;
            status = status with { PauseStartTime = started };
            if (!blueGreen.AutoPromotionEnabled)
            {
                return status with { Phase = RolloutPhases.Paused, Message = "BlueGreenPause: the preview is ready; waiting to be promoted" };
            }

            if (blueGreen.AutoPromotionSeconds is { } seconds && pass.Now < started + TimeSpan.FromSeconds(seconds))
            {
                pass.RequeueWithin(started + TimeSpan.FromSeconds(seconds) - pass.Now);
                return status with { Phase = RolloutPhases.Paused, Message = $"BlueGreenPause: promoting automatically after {seconds}s" };
            }
        }

        if (!Reach(pass, ref preview, desired, "the new revision before the switch"))
        {
            return status with { Phase = RolloutPhases.Progressing, Message = $"scaling the new revision to {desired} replicas before the switch" };
        }

        pass.Event(RecordEvent.Normal, "SwitchService", $"Switched the active Service {blueGreen.ActiveService} to revision {preview.Revision}");
        return status with
        {
            StableReplicaSet = preview.Name,
            PreviousReplicaSet = active.Name,
            CanaryReplicaSet = null,
            PauseStartTime = null,
            SkipPause = false,
            PromoteFull = false,
            StepAnalysis = null,
            BackgroundAnalysis = blueGreen.PostPromotionAnalysis is null ? null
                : new AnalysisRunStatus($"{pass.Rollout.Name}-{preview.Revision}-post", PostAnalysisStep, pass.Now, []),
            ScaleDownAt = pass.Now + TimeSpan.FromSeconds(blueGreen.ScaleDownDelaySeconds),
            Phase = RolloutPhases.Progressing,
            Message = $"revision {preview.Revision} is active",
        };
    }

    /// <summary>Scales a replica set up to a count; true once that many are available.</summary>
    private static bool Reach(Pass pass, ref ReplicaSetState rs, int count, string what)
    {
        if (rs.Replicas < count)
        {
            rs = pass.ScaleIfNeeded(rs, count, $"{what} needs {count} replicas", out _);
            return false;
        }

        return rs.AvailableReplicas >= count;
    }

    private static (Analysis.AnalysisPhase Phase, string Message, DateTimeOffset? Next) Judge(Pass pass, AnalysisRunStatus run, Analysis.RolloutAnalysis analysis)
    {
        var (metrics, errors) = CanaryAnalysis.Resolve(analysis, pass.Templates, pass.Status.Canary);
        return errors.Count > 0
            ? (Analysis.AnalysisPhase.Error, $"analysis {run.Name} cannot run: {string.Join("; ", errors)}", null)
            : CanaryAnalysis.Assess(run, metrics);
    }

    private static void Requeue(Pass pass, DateTimeOffset? at) => pass.RequeueWithin(at is { } when ? when - pass.Now : null);
}
