using Fledge.Core.Rollouts;

namespace Fledge.Core.Planning;

/// <summary>The canary's analysis: its analysis steps and its background analysis, judged on each pass, and the abort a failure makes.</summary>
internal static partial class CanaryStrategyPlanner
{
    /// <summary>
    /// An analysis step: starts its run, then judges it. Successful moves on (true); Failed or Error aborts
    /// the canary; Inconclusive pauses for a person (promote goes on, abort rolls back); Running waits for
    /// the next measurement.
    /// </summary>
    private static (CanaryStatus Status, bool Next) StepAnalysis(Pass pass, CanaryStatus status, AnalysisStep step, ReplicaSetState newRs, int index)
    {
        var (metrics, errors) = CanaryAnalysis.Resolve(step.Analysis, pass.Templates, status);
        if (errors.Count > 0)
        {
            return (Abort(pass, status, $"analysis of step {index + 1} cannot run: {string.Join("; ", errors)}"), false);
        }

        var run = status.StepAnalysis;
        if (run is null || run.Step != index)
        {
            run = new AnalysisRunStatus($"{pass.Rollout.Name}-{newRs.Revision}-step{index + 1}", index, pass.Now, []);
            status = status with { StepAnalysis = run };
            pass.Event(RecordEvent.Normal, "AnalysisRunRunning", $"Analysis run {run.Name} started: {string.Join(", ", step.Analysis.Templates)}");
        }

        var (phase, message, next) = CanaryAnalysis.Assess(run, metrics);
        switch (phase)
        {
            case Analysis.AnalysisPhase.Successful:
                pass.Event(RecordEvent.Normal, "AnalysisRunSuccessful", $"Analysis run {run.Name} succeeded");
                return (status with { CurrentStepIndex = index + 1, StepAnalysis = null }, true);
            case Analysis.AnalysisPhase.Failed or Analysis.AnalysisPhase.Error:
                return (Abort(pass, status, message), false);
            case Analysis.AnalysisPhase.Inconclusive when status.SkipPause:
                return (status with { SkipPause = false, CurrentStepIndex = index + 1, StepAnalysis = null }, true);
            case Analysis.AnalysisPhase.Inconclusive:
                return (status with { Phase = RolloutPhases.Paused, Message = $"InconclusiveAnalysis: {message}; promote to go on, abort to roll back" }, false);
            default:
                if (next is { } at)
                {
                    pass.RequeueWithin(at > pass.Now ? at - pass.Now : TimeSpan.FromSeconds(1));
                }

                return (status with { Phase = RolloutPhases.Progressing, Message = $"analysis {run.Name} running" }, false);
        }
    }

    /// <summary>The background analysis from its starting step: a failure aborts at any step, an inconclusive result pauses.</summary>
    private static CanaryStatus? Background(Pass pass, CanaryStrategy canary, CanaryStatus status, ReplicaSetState newRs, int index)
    {
        if (canary.Analysis is not { } analysis || index < analysis.StartingStep)
        {
            return null;
        }

        var (metrics, errors) = CanaryAnalysis.Resolve(analysis, pass.Templates, status);
        if (errors.Count > 0)
        {
            return Abort(pass, status, $"background analysis cannot run: {string.Join("; ", errors)}");
        }

        var run = status.BackgroundAnalysis;
        if (run is null || !run.Name.StartsWith($"{pass.Rollout.Name}-{newRs.Revision}-", StringComparison.Ordinal))
        {
            run = new AnalysisRunStatus($"{pass.Rollout.Name}-{newRs.Revision}-background", -1, pass.Now, []);
            status = status with { BackgroundAnalysis = run };
            pass.Event(RecordEvent.Normal, "AnalysisRunRunning", $"Analysis run {run.Name} started: {string.Join(", ", analysis.Templates)}");
        }

        var (phase, message, next) = CanaryAnalysis.Assess(run, metrics);
        if (next is { } at)
        {
            pass.RequeueWithin(at > pass.Now ? at - pass.Now : TimeSpan.FromSeconds(1));
        }

        return phase switch
        {
            Analysis.AnalysisPhase.Failed or Analysis.AnalysisPhase.Error => Abort(pass, status, message),
            Analysis.AnalysisPhase.Inconclusive when !status.SkipPause =>
                status with { Phase = RolloutPhases.Paused, Message = $"InconclusiveAnalysis: {message}; promote to go on, abort to roll back" },
            _ => status,
        };
    }

    /// <summary>Marks the canary aborted because of an analysis, with a message naming the metric and its values.</summary>
    internal static CanaryStatus Abort(Pass pass, CanaryStatus status, string why)
    {
        var after = status.CanaryStartedAt is { } started ? $"; all traffic is back on the stable revision, {Durations.Format(pass.Now - started)} after the canary started" : "";
        pass.Event(RecordEvent.Warning, "RolloutAborted", $"Rollout aborted update: {why}{after}");
        return status with { Aborted = true, AbortedAt = pass.Now, Message = $"RolloutAborted: {why}" };
    }
}
