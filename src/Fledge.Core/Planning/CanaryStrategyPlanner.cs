using Fledge.Core.Rollouts;

namespace Fledge.Core.Planning;

/// <summary>
/// Canary (Argo Rollouts' semantics): the new template goes to a canary replica set while the stable one
/// keeps serving; steps set the canary's traffic weight and pause, and once every step is done the canary
/// becomes stable and the old replica set is scaled down (after scaleDownDelaySeconds with a traffic
/// router). With a router the weight is an exact share of requests and the stable replica set stays at
/// full size; without one the weight is approximated by replica counts: 4 replicas at setWeight 25 run 1
/// canary and 3 stable. An aborted canary gets no traffic at once and is scaled down after
/// abortScaleDownDelaySeconds; the rollout is Degraded until a new version or a retry.
/// </summary>
internal static partial class CanaryStrategyPlanner
{
    /// <summary>Steps that complete at once (setWeight already reached) are walked in the same pass, up to this many.</summary>
    private const int MaxStepsPerPass = 32;

    public static void Run(Pass pass)
    {
        var (newRs, old) = Revisions.SyncRevision(pass, createIfMissing: true);
        var canary = pass.Spec.Strategy.Canary!;
        var status = pass.Status.Canary ?? CanaryStatus.Initial;
        var stable = pass.Find(status.StableReplicaSet);
        if (stable is null)
        {
            stable = RunningBefore(pass, newRs!);
            status = stable is not null
                // A rollout that ran another strategy until now: what runs is stable, and the new template is a canary.
                ? status with { StableReplicaSet = stable.Name, CanaryReplicaSet = null, CurrentStepIndex = 0, Weight = 0 }
                // The first version has nothing to be a canary against: it is stable at once.
                : status with { StableReplicaSet = newRs!.Name, CanaryReplicaSet = null, CurrentStepIndex = canary.Steps.Length, Weight = 0 };
            stable ??= newRs!;
        }

        status = stable.Name == newRs!.Name
            ? Steady(pass, canary, status, newRs)
            : Progress(pass, canary, status, stable, newRs, old);
        Experiments.Retire(pass, CurrentExperiment(pass, canary, status));
        Finish(pass, status, RollingUpdateStrategy.Current(pass, newRs));
    }

    /// <summary>The experiment the canary is at, whose replica sets stay; null when it is at no experiment step (or aborted, or promoted).</summary>
    private static string? CurrentExperiment(Pass pass, CanaryStrategy canary, CanaryStatus status) =>
        !status.Aborted && !status.PromoteFull && pass.Find(status.CanaryReplicaSet) is { } canaryRs
        && status.CurrentStepIndex < canary.Steps.Length && canary.Steps[status.CurrentStepIndex] is ExperimentStep
            ? Experiments.Name(pass, canaryRs, status.CurrentStepIndex)
            : null;

    /// <summary>
    /// The revision that runs when a rollout without a stable revision (one that used RollingUpdate or Recreate
    /// until now) gets a new template: the newest other replica set with replicas. Argo Rollouts makes the new
    /// template stable at once in this case, which releases it to everyone without a step; taking the running
    /// one as stable lets the first canary of a converted rollout be a canary. Null for a brand-new rollout.
    /// </summary>
    internal static ReplicaSetState? RunningBefore(Pass pass, ReplicaSetState newRs) =>
        pass.ReplicaSets.Where(rs => rs.Name != newRs.Name && rs.IsActive).MaxBy(rs => rs.Revision);

    /// <summary>The new template is the stable one: run it at full size and retire the others (after the scale-down delay).</summary>
    private static CanaryStatus Steady(Pass pass, CanaryStrategy canary, CanaryStatus status, ReplicaSetState stable)
    {
        var desired = pass.Spec.Replicas;
        stable = pass.ScaleIfNeeded(stable, desired, $"the stable revision {stable.Revision} runs all {desired} replicas", out _);
        var othersRunning = false;
        var pastLimit = ScaleDownDelay.PastLimit(pass, stable.Name, canary.ScaleDownDelayRevisionLimit);
        foreach (var rs in pass.ReplicaSets)
        {
            if (rs.Name == stable.Name || !rs.IsActive)
            {
                continue;
            }

            if (pastLimit.Contains(rs.Name))
            {
                pass.ScaleIfNeeded(rs, 0, $"revision {rs.Revision} is past scaleDownDelayRevisionLimit ({canary.ScaleDownDelayRevisionLimit}): scale it down now", out _);
                continue;
            }

            if (status.ScaleDownAt is { } at && at > pass.Now && stable.AvailableReplicas >= desired)
            {
                pass.RequeueWithin(at - pass.Now);
                othersRunning = true;
                continue;
            }

            if (stable.AvailableReplicas >= desired || status.ScaleDownAt is null)
            {
                pass.ScaleIfNeeded(rs, 0, $"revision {rs.Revision} is no longer stable: scale it down", out _);
            }
            else
            {
                othersRunning = true;
            }
        }

        var healthy = !othersRunning && stable.AvailableReplicas >= desired;
        return status.Settled() with
        {
            Phase = healthy ? RolloutPhases.Healthy : RolloutPhases.Progressing,
            Message = healthy ? ""
                : stable.AvailableReplicas < desired ? $"the stable revision is scaling up ({stable.AvailableReplicas} of {desired} available)"
                : status.ScaleDownAt is { } scaleDownAt && scaleDownAt > pass.Now
                    ? $"the previous revision is kept for scaleDownDelaySeconds, until {scaleDownAt.UtcDateTime:HH:mm:ss}Z"
                    : "the previous revisions are scaling down",
            CurrentStepIndex = canary.Steps.Length,
            ScaleDownAt = healthy ? null : status.ScaleDownAt,
        };
    }

    private static CanaryStatus Progress(Pass pass, CanaryStrategy canary, CanaryStatus status, ReplicaSetState stable, ReplicaSetState newRs, OldReplicaSets old)
    {
        if (status.CanaryReplicaSet != newRs.Name)
        {
            // A new version: its steps start from the beginning; an abort of an earlier canary no longer applies.
            status = status with
            {
                CanaryReplicaSet = newRs.Name, CanaryStartedAt = pass.Now, CurrentStepIndex = 0, PauseStartTime = null, Aborted = false, AbortedAt = null,
                PromoteFull = false, SkipPause = false, ScaleDownAt = null, StepAnalysis = null, BackgroundAnalysis = null,
            };
            status = ArgoGuards.RollbackWithinWindow(pass, status, stable, newRs);
        }

        if (ArgoGuards.DeadlineAbort(pass, status))
        {
            status = Abort(pass, status, $"revision {newRs.Revision} made no progress for progressDeadlineSeconds ({pass.Spec.ProgressDeadlineSeconds}s) and progressDeadlineAbort is set");
        }

        foreach (var rs in old)
        {
            if (rs.IsActive && rs.Name != stable.Name)
            {
                pass.ScaleIfNeeded(rs, 0, $"revision {rs.Revision} is neither stable nor the canary: scale it down", out _);
            }
        }

        return status.Aborted ? Aborted(pass, canary, status, stable, newRs) : Steps(pass, canary, status, stable, newRs);
    }

    /// <summary>
    /// An aborted canary. Without a router the weight goes to 0 and the replica counts follow as a rolling update back to
    /// stable, within maxSurge and maxUnavailable (Argo's basic canary: never fewer available than the update allows).
    /// With one, all traffic goes back to stable at once (with dynamicStableScale step by step down the weights, as fast as
    /// the stable revision grows), and the canary is scaled down after abortScaleDownDelaySeconds (0 keeps it running).
    /// </summary>
    private static CanaryStatus Aborted(Pass pass, CanaryStrategy canary, CanaryStatus status, ReplicaSetState stable, ReplicaSetState newRs)
    {
        var abortedAt = status.AbortedAt ?? pass.Now;
        var message = status.Message.StartsWith("RolloutAborted", StringComparison.Ordinal)
            ? status.Message
            : $"RolloutAborted: Rollout aborted update to revision {newRs.Revision}";
        status = status with { Phase = RolloutPhases.Degraded, Message = message, AbortedAt = abortedAt };
        var canaryBefore = newRs.Replicas;
        if (!canary.TrafficRouted)
        {
            BasicReplicas(pass, canary, ref stable, ref newRs, 0);
            status = SetWeight(pass, status, stable, newRs, CanaryWeights.ReplicaWeight(stable, newRs));
        }
        else
        {
            var weight = canary.DynamicStableScale ? CanaryReplicaCounts.AbortStepWeight(StepWeights(canary), status.Weight) : 0;
            var (canaryCount, stableCount) = CanaryReplicaCounts.TrafficRouted(pass.Spec.Replicas, weight, null, canary.MinPodsPerReplicaSet,
                canary.DynamicStableScale, (status.Weight, 100 - status.Weight), aborted: true);
            stable = pass.ScaleIfNeeded(stable, stableCount, "the canary was aborted: the stable revision takes its traffic back", out _);
            if (stable.AvailableReplicas >= Math.Min(stableCount, CanaryReplicaCounts.Share(pass.Spec.Replicas, 100 - weight)) || !canary.DynamicStableScale)
            {
                status = SetWeight(pass, status, stable, newRs, weight);
            }

            var scaleDownAt = abortedAt + TimeSpan.FromSeconds(canary.AbortScaleDownDelaySeconds);
            if (canary.KeepsAbortedCanary)
            {
                // abortScaleDownDelaySeconds: 0 — the canary keeps running without traffic until the next version
            }
            else if (status.Weight == 0 && pass.Now >= scaleDownAt)
            {
                pass.ScaleIfNeeded(newRs, 0, "the canary was aborted: scale it down", out _);
            }
            else if (status.Weight != 0)
            {
                pass.ScaleIfNeeded(newRs, canaryCount, "the aborted canary keeps the replicas its traffic still needs", out _);
            }
            else
            {
                pass.RequeueWithin(scaleDownAt - pass.Now);
            }

            newRs = pass.Find(newRs.Name) ?? newRs;
        }

        if (canaryBefore > 0 && newRs.Replicas == 0 && status.CanaryStartedAt is { } started)
        {
            pass.Event(RecordEvent.Normal, "CanaryScaledDown",
                $"the aborted canary (revision {newRs.Revision}) is scaled down: traffic went back to the stable revision {Durations.Format(abortedAt - started)} " +
                $"after the canary started, and its replicas go {Durations.Format(pass.Now - started)} after it started");
        }

        return status;
    }

    private static IEnumerable<int> StepWeights(CanaryStrategy canary) => canary.Steps.OfType<SetWeightStep>().Select(s => s.Weight);

    private static CanaryStatus Steps(Pass pass, CanaryStrategy canary, CanaryStatus status, ReplicaSetState stable, ReplicaSetState newRs)
    {
        var desired = pass.Spec.Replicas;
        if (pass.Spec.Paused)
        {
            return status with { Phase = RolloutPhases.Paused, Message = "paused by spec.paused; resume it to go on" };
        }

        for (var walked = 0; walked < MaxStepsPerPass; walked++)
        {
            var index = status.PromoteFull ? canary.Steps.Length : status.CurrentStepIndex;
            var full = index >= canary.Steps.Length;
            if (!full && Background(pass, canary, status, newRs, index) is { } judged)
            {
                status = judged;
                if (status.Aborted || status.Phase == RolloutPhases.Paused)
                {
                    return status.Aborted ? Aborted(pass, canary, status, stable, newRs) : status;
                }
            }

            var weight = full ? 100 : CanaryWeights.WeightAt(canary, index);
            var (ready, waiting) = canary.TrafficRouted
                ? RoutedReplicas(pass, canary, status, ref stable, ref newRs, index, weight, full)
                : BasicReplicas(pass, canary, ref stable, ref newRs, weight);
            if (!canary.TrafficRouted)
            {
                status = SetWeight(pass, status, stable, newRs, CanaryWeights.ReplicaWeight(stable, newRs));
            }

            if (!ready)
            {
                var why = full ? "promoting: " : "";
                return status with { Phase = RolloutPhases.Progressing, Message = why + waiting };
            }

            // With a router, traffic follows once the canary runs the replicas the weight needs
            if (canary.TrafficRouted && !full)
            {
                status = SetWeight(pass, status, stable, newRs, weight);
            }

            if (full)
            {
                return Promote(pass, canary, status, newRs);
            }

            if (canary.Steps[index] is AnalysisStep analysisStep)
            {
                var (outcome, next) = StepAnalysis(pass, status, analysisStep, newRs, index);
                status = outcome;
                if (next)
                {
                    continue;
                }

                return status.Aborted ? Aborted(pass, canary, status, stable, newRs) : status;
            }

            if (canary.Steps[index] is ExperimentStep experiment)
            {
                (status, var next) = Experiments.Step(pass, status, experiment, stable, newRs, index);
                if (next)
                {
                    continue;
                }

                return status.Aborted ? Aborted(pass, canary, status, stable, newRs) : status;
            }

            if (canary.Steps[index] is PauseStep pause)
            {
                if (status.SkipPause)
                {
                    status = status with { SkipPause = false, PauseStartTime = null, CurrentStepIndex = index + 1 };
                    continue;
                }

                var started = status.PauseStartTime ?? pass.Now;
                status = status with { PauseStartTime = started };
                if (pause.Duration is { } duration)
                {
                    if (pass.Now < started + duration)
                    {
                        pass.RequeueWithin(started + duration - pass.Now);
                        return status with { Phase = RolloutPhases.Paused, Message = $"CanaryPauseStep: pausing {duration.TotalSeconds:0}s" };
                    }

                    status = status with { PauseStartTime = null, CurrentStepIndex = index + 1 };
                    continue;
                }

                return status with { Phase = RolloutPhases.Paused, Message = "CanaryPauseStep: waiting to be promoted" };
            }

            status = status with { CurrentStepIndex = index + 1 };
        }

        return status;
    }

    /// <summary>All steps done: the canary becomes stable; the previous stable goes after scaleDownDelaySeconds (at once without a router).</summary>
    private static CanaryStatus Promote(Pass pass, CanaryStrategy canary, CanaryStatus status, ReplicaSetState newRs)
    {
        pass.Event(RecordEvent.Normal, "RolloutCompleted",
            $"Rollout completed update to revision {newRs.Revision} ({newRs.Name}): {(status.PromoteFull ? "Full promotion requested" : $"Completed all {canary.Steps.Length} canary steps")}");
        return status with
        {
            StableReplicaSet = newRs.Name,
            CanaryReplicaSet = null,
            CurrentStepIndex = canary.Steps.Length,
            PromoteFull = false,
            PauseStartTime = null,
            Weight = 0,
            StepAnalysis = null,
            BackgroundAnalysis = null,
            ScaleDownAt = pass.Now + TimeSpan.FromSeconds(canary.TrafficRouted ? canary.ScaleDownDelaySeconds : 0),
            Phase = RolloutPhases.Progressing,
            Message = $"revision {newRs.Revision} promoted to stable",
        };
    }

    /// <summary>
    /// A canary without a router: one pass of Argo's arithmetic (<see cref="CanaryReplicaCounts.Basic"/>) toward the counts
    /// closest to <paramref name="weight"/>, within maxSurge and maxUnavailable. Ready when, as Argo's
    /// AtDesiredReplicaCountsForCanary has it, the pass moves nothing, the canary's replicas are all available, the stable's
    /// all created (not necessarily available: a broken stable never holds a fixed canary back) and no older revision
    /// serves; at weight 100, when the canary runs spec.replicas available ones.
    /// </summary>
    private static (bool Ready, string Waiting) BasicReplicas(Pass pass, CanaryStrategy canary, ref ReplicaSetState stable, ref ReplicaSetState newRs, int weight)
    {
        var desired = pass.Spec.Replicas;
        var (surge, unavailable) = Fenceposts.Resolve(canary.MaxSurge, canary.MaxUnavailable, desired);
        unavailable = Math.Min(unavailable, desired);
        var stableName = stable.Name;
        var canaryName = newRs.Name;
        var older = pass.ReplicaSets.Where(rs => rs.Name != stableName && rs.Name != canaryName).ToList();
        var (canaryCount, stableCount) = CanaryReplicaCounts.Basic(desired, weight, surge, unavailable,
            new ReplicaCount(newRs.Replicas, newRs.AvailableReplicas), new ReplicaCount(stable.Replicas, stable.AvailableReplicas), older.Sum(rs => rs.Replicas));
        var moved = stable.Replicas != stableCount || newRs.Replicas != canaryCount;
        var why = $"{weight}% by replicas: {canaryCount} canary and {stableCount} stable (maxSurge {surge}, maxUnavailable {unavailable})";
        stable = pass.ScaleIfNeeded(stable, stableCount, why, out _);
        newRs = pass.ScaleIfNeeded(newRs, canaryCount, why, out _);
        var waiting = $"scaling to {canaryCount} canary, {stableCount} stable replicas ({newRs.AvailableReplicas} canary, {stable.AvailableReplicas} stable available)";
        if (moved)
        {
            return (false, waiting);
        }

        var ready = weight == 100
            ? newRs.Replicas == desired && newRs.AvailableReplicas >= desired
            : newRs.AvailableReplicas == canaryCount && stable.ObservedReplicas == stableCount && older.Sum(rs => rs.AvailableReplicas) == 0;
        return (ready, waiting);
    }

    /// <summary>
    /// A canary behind a router: the canary runs setCanaryScale's replicas or ceil(weight × replicas) (at least
    /// minPodsPerReplicaSet), the stable revision stays at spec.replicas (with dynamicStableScale it follows the larger of its
    /// desired and its actual traffic share). Ready when the canary's replicas are all available and, unless dynamicStableScale,
    /// the stable's all created.
    /// </summary>
    private static (bool Ready, string Waiting) RoutedReplicas(
        Pass pass, CanaryStrategy canary, CanaryStatus status, ref ReplicaSetState stable, ref ReplicaSetState newRs, int index, int weight, bool full)
    {
        var desired = pass.Spec.Replicas;
        var (scaleReplicas, scaleWeight) = full ? (null, null) : CanaryWeights.CanaryScale(canary, index);
        var (canaryCount, stableCount) = CanaryReplicaCounts.TrafficRouted(desired, scaleWeight ?? weight, scaleReplicas, canary.MinPodsPerReplicaSet,
            canary.DynamicStableScale, (status.Weight, 100 - status.Weight));
        var why = $"canary step: {canaryCount} canary replicas for {weight}% of traffic, {stableCount} stable";
        newRs = pass.ScaleIfNeeded(newRs, canaryCount, why, out _);
        stable = pass.ScaleIfNeeded(stable, stableCount, why, out _);
        var ready = newRs.Replicas == canaryCount && newRs.AvailableReplicas >= canaryCount
            && (canary.DynamicStableScale || stable.ObservedReplicas >= stableCount);
        return (ready, $"waiting for {canaryCount} canary replicas to be available before sending it {weight}% of traffic ({newRs.AvailableReplicas} are)");
    }

    private static CanaryStatus SetWeight(Pass pass, CanaryStatus status, ReplicaSetState stable, ReplicaSetState newRs, int weight)
    {
        if (status.Weight == weight)
        {
            return status;
        }

        pass.Add(new SetTrafficWeight(stable.Name, newRs.Name, weight,
            $"send {weight}% of traffic to the canary (revision {newRs.Revision}) and {100 - weight}% to the stable revision {stable.Revision}"));
        return status with { Weight = weight };
    }

    /// <summary>Status counts and conditions; a paused or aborted canary does not count against the progress deadline.</summary>
    internal static void Finish(Pass pass, CanaryStatus canary, ReplicaSetState? newRs)
    {
        var stopped = pass.Spec.Paused || canary.Phase is RolloutPhases.Paused or RolloutPhases.Degraded;
        pass.Status = pass.Status with { Canary = canary };
        if (stopped)
        {
            var (reason, message, conditionStatus) = canary.Phase == RolloutPhases.Degraded
                ? (ConditionReasons.RolloutAborted, canary.Message, ConditionStatus.False)
                : (ConditionReasons.RolloutPaused, canary.Message, ConditionStatus.Unknown);
            Planning.Progress.SyncStatus(pass, newRs);
            pass.Status = Planning.Progress.WithCondition(pass.Status,
                new RolloutCondition(ConditionTypes.Progressing, conditionStatus, reason, message, pass.Now, pass.Now));
            return;
        }

        if (pass.Status.Condition(ConditionTypes.Progressing)?.Reason is ConditionReasons.RolloutPaused or ConditionReasons.RolloutAborted)
        {
            // As Argo Rollouts says it: the pause is over, and the deadline clock starts again from here.
            pass.Status = Planning.Progress.WithCondition(pass.Status, new RolloutCondition(ConditionTypes.Progressing, ConditionStatus.Unknown,
                ConditionReasons.RolloutResumed, "Rollout is resumed", pass.Now, pass.Now));
        }

        var requeue = pass.RequeueAfter;
        if (canary.StepAnalysis is not null || canary.BackgroundAnalysis is not null && pass.Spec.Strategy.Type == StrategyType.BlueGreen)
        {
            // An analysis takes the time its measurements take; it does not count against the progress deadline.
            Planning.Progress.SyncStatus(pass, newRs);
            return;
        }

        Planning.Progress.SyncRolloutStatus(pass, newRs);
        if (requeue is { } mine && (pass.RequeueAfter is null || mine < pass.RequeueAfter))
        {
            pass.RequeueAfter = mine;
        }
    }
}
