using System.Collections.Immutable;
using Fledge.Core.Analysis;
using Fledge.Core.Rollouts;

namespace Fledge.Core.Planning;

/// <summary>
/// Argo's experiment step within the rollout's own pass: one replica set per template, named after Argo's experiment
/// (rollout-hash-revision-step) and the template, runs the stable or the canary pod template (with a pod-template-hash
/// of its own, so no revision's Service selector takes it in) beside the rollout's revisions. Once all its replicas are
/// available its analysis starts, and with it the duration. The step ends after the duration (or, without one, when an
/// analysis that is requiredForCompletion has completed, or at a promote); a Failed or Error analysis aborts the canary.
/// Replica sets of an experiment that is not the current step are scaled down, then deleted.
/// </summary>
internal static class Experiments
{
    public static bool IsExperiment(ReplicaSetState rs) => rs.CopiedAnnotations.ContainsKey(Annotations.Experiment);

    /// <summary>Argo's experiment name: the rollout, the canary's pod-template-hash, its revision and the step's index.</summary>
    public static string Name(Pass pass, ReplicaSetState canary, int index) => $"{pass.Rollout.Name}-{canary.Template.Hash}-{canary.Revision}-{index}";

    /// <summary>Scales down the replica sets of every experiment but <paramref name="current"/>, and deletes those with no replicas left.</summary>
    public static void Retire(Pass pass, string? current)
    {
        foreach (var rs in pass.ExperimentReplicaSets)
        {
            if (rs.CopiedAnnotations[Annotations.Experiment] == current)
            {
                continue;
            }

            if (rs.Replicas > 0)
            {
                Scale(pass, rs, 0, $"experiment {rs.CopiedAnnotations[Annotations.Experiment]} is over: scale down its replica set {rs.Name}");
            }
            else if (rs.ObservedReplicas == 0 && rs.TerminatingReplicas == 0)
            {
                pass.ExperimentReplicaSets = pass.ExperimentReplicaSets.Remove(rs);
                pass.Add(new DeleteReplicaSet(rs.Name, rs.Revision, $"experiment {rs.CopiedAnnotations[Annotations.Experiment]} is over: delete its replica set {rs.Name}"));
            }
        }
    }

    /// <summary>
    /// The experiment step at <paramref name="index"/>: its replica sets, then its analysis and duration. True when the
    /// step is done and the walk goes on.
    /// </summary>
    public static (CanaryStatus Status, bool Next) Step(
        Pass pass, CanaryStatus status, ExperimentStep step, ReplicaSetState stable, ReplicaSetState canary, int index)
    {
        var name = Name(pass, canary, index);
        var waiting = new List<string>();
        foreach (var template in step.Templates)
        {
            var rs = Ensure(pass, name, template, template.SpecRef == ExperimentTemplate.Stable ? stable : canary);
            if (rs.AvailableReplicas < template.Replicas)
            {
                waiting.Add($"{template.Name} ({rs.AvailableReplicas} of {template.Replicas} available)");
            }
        }

        var (metrics, errors) = step.Analysis is { } analysis ? CanaryAnalysis.Resolve(analysis, pass.Templates, status) : ([], []);
        if (errors.Count > 0)
        {
            return (CanaryStrategyPlanner.Abort(pass, status, $"the analysis of experiment {name} cannot run: {string.Join("; ", errors)}"), false);
        }

        var run = status.StepAnalysis is { } current && current.Step == index && current.Name == name ? current : null;
        if (run is null)
        {
            if (waiting.Count > 0)
            {
                return (status with { Phase = RolloutPhases.Progressing, Message = $"experiment {name}: waiting for {string.Join(", ", waiting)}" }, false);
            }

            // Argo's experiment is Running once every template is available: the analysis and the duration start now.
            run = new AnalysisRunStatus(name, index, pass.Now, []);
            status = status with { StepAnalysis = run };
            pass.Event(RecordEvent.Normal, "ExperimentRunning",
                $"Experiment {name} running: {string.Join(", ", step.Templates.Select(t => $"{t.Name} ({t.SpecRef})"))}"
                + (step.Analysis is { } a ? $", analysis: {string.Join(", ", a.Templates)}" : ""));
        }

        var (phase, message, next) = CanaryAnalysis.Assess(run, metrics);
        if (phase is AnalysisPhase.Failed or AnalysisPhase.Error)
        {
            pass.Event(RecordEvent.Warning, "ExperimentFailed", $"Experiment {name} failed: {message}");
            return (CanaryStrategyPlanner.Abort(pass, status, $"experiment {name} failed: {message}"), false);
        }

        var ended = step.Duration is { } duration ? pass.Now >= run.StartedAt + duration
            : step.RequiredForCompletion && phase == AnalysisPhase.Successful;
        if (ended || status.SkipPause)
        {
            var why = ended ? step.Duration is { } d ? $"ran for {Durations.Format(d)}" : "its required analysis completed" : "promoted";
            pass.Event(RecordEvent.Normal, "ExperimentSuccessful", $"Experiment {name} successful: {why}");
            return (status with { SkipPause = false, CurrentStepIndex = index + 1, StepAnalysis = null }, true);
        }

        if (phase == AnalysisPhase.Inconclusive)
        {
            return (status with { Phase = RolloutPhases.Paused, Message = $"InconclusiveAnalysis: experiment {name}: {message}; promote to go on, abort to roll back" }, false);
        }

        if (step.Duration is { } length)
        {
            pass.RequeueWithin(run.StartedAt + length - pass.Now);
        }

        if (next is { } at)
        {
            pass.RequeueWithin(at > pass.Now ? at - pass.Now : TimeSpan.FromSeconds(1));
        }

        var until = step.Duration is { } total ? $"until {(run.StartedAt + total).UtcDateTime:HH:mm:ss}Z"
            : step.RequiredForCompletion ? "until its required analysis completes" : "until promoted (no duration, no analysis requiredForCompletion)";
        return (status with { Phase = RolloutPhases.Progressing, Message = $"experiment {name} running {until}" }, false);
    }

    /// <summary>The template's replica set at its size, created when missing: the revision's pod template with the template's labels and a hash of its own.</summary>
    private static ReplicaSetState Ensure(Pass pass, string experiment, ExperimentTemplate template, ReplicaSetState from)
    {
        var name = $"{experiment}-{template.Name}";
        if (pass.ExperimentReplicaSets.FirstOrDefault(rs => rs.Name == name) is { } existing)
        {
            return existing.Replicas == template.Replicas ? existing
                : Scale(pass, existing, template.Replicas, $"experiment {experiment}: {template.Name} runs {template.Replicas} replicas");
        }

        var spec = PodTemplateHasher.WithoutHashLabel(from.Template.Spec);
        if (template.Labels is { } labels)
        {
            spec.Metadata ??= new k8s.Models.V1ObjectMeta();
            spec.Metadata.Labels = labels.ToDictionary(l => l.Key, l => l.Value);
        }

        var described = PodTemplateHasher.Describe(spec);
        var hash = PodTemplateHasher.Hash($"{described.Key}\n{name}", collisionCount: null);
        var created = new ReplicaSetState(name, new PodTemplate(PodTemplateHasher.WithHashLabel(spec, hash), described.Key, hash), pass.Now, from.Revision,
            template.Replicas, Annotations: ImmutableSortedDictionary.CreateRange(StringComparer.Ordinal,
            [KeyValuePair.Create(Annotations.Experiment, experiment), KeyValuePair.Create(Annotations.ExperimentTemplate, template.Name)]));
        pass.ExperimentReplicaSets = pass.ExperimentReplicaSets.Add(created);
        pass.Add(new CreateReplicaSet(created, $"experiment {experiment}: create {name} from the {template.SpecRef} template (revision {from.Revision}) with {template.Replicas} replicas"));
        pass.Event(RecordEvent.Normal, "ScalingReplicaSet", $"Scaled up replica set {name} from 0 to {template.Replicas}");
        return created;
    }

    private static ReplicaSetState Scale(Pass pass, ReplicaSetState rs, int to, string why)
    {
        var updated = rs with { Replicas = to };
        pass.ExperimentReplicaSets = pass.ExperimentReplicaSets.Replace(rs, updated);
        pass.Add(new ScaleReplicaSet(rs.Name, rs.Replicas, to, to, to, why));
        pass.Event(RecordEvent.Normal, "ScalingReplicaSet", $"Scaled {(to > rs.Replicas ? "up" : "down")} replica set {rs.Name} from {rs.Replicas} to {to}");
        return updated;
    }
}
