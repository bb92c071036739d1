using System.Collections.Immutable;
using Fledge.Core.Analysis;
using Fledge.Core.Manifests;
using Fledge.Core.Rollouts;

namespace Fledge.Core.Planning;

/// <summary>A measurement a platform should take now: of which metric, for the step's or the background analysis.</summary>
public sealed record DueMeasurement(bool Background, AnalysisMetric Metric, DateTimeOffset RunStartedAt)
{
    /// <summary>Which measurement it is within its rollout ("step/error-rate", "background/latency").</summary>
    public string Key => $"{(Background ? "background" : "step")}/{Metric.Name}";
}

/// <summary>Where one metric of a running analysis stands: its result so far, its latest measurement, and when the next is due.</summary>
public sealed record MetricProgress(AnalysisMetric Metric, MetricResult Result, Measurement? Last, DateTimeOffset? NextAt);

/// <summary>
/// The analysis of a canary. The planner starts runs (recorded in the canary's status) and judges them;
/// platforms take the measurements that are due (<see cref="Due"/>) and record them (<see cref="Record"/>),
/// as Argo Rollouts' AnalysisRun controller does beside the rollout controller.
/// </summary>
public static class CanaryAnalysis
{
    /// <summary>The metrics of an analysis with its arguments filled in, or why they cannot be had.</summary>
    public static (ImmutableArray<AnalysisMetric> Metrics, IReadOnlyList<string> Errors) Resolve(
        RolloutAnalysis analysis, IReadOnlyDictionary<string, AnalysisTemplate> templates, CanaryStatus? status = null)
    {
        IReadOnlyDictionary<string, string> args = analysis.Args;
        if (!analysis.HashArgs.IsEmpty)
        {
            // podTemplateHashValue: the stable revision's pod-template-hash, or the newest one's (the canary, else stable)
            var latest = status?.CanaryReplicaSet ?? status?.StableReplicaSet;
            args = analysis.Args.SetItems(analysis.HashArgs.Select(h =>
                KeyValuePair.Create(h.Key, HashOf(h.Value == "Stable" ? status?.StableReplicaSet : latest))));
        }

        var metrics = ImmutableArray.CreateBuilder<AnalysisMetric>();
        var errors = new List<string>();
        foreach (var name in analysis.Templates)
        {
            if (!templates.TryGetValue(name, out var template))
            {
                errors.Add(name.StartsWith(AnalysisTemplateReader.ClusterKind + "/", StringComparison.Ordinal)
                    ? $"ClusterAnalysisTemplate \"{name[(AnalysisTemplateReader.ClusterKind.Length + 1)..]}\" not found; apply it (kind: ClusterAnalysisTemplate), or drop clusterScope to use an AnalysisTemplate"
                    : $"AnalysisTemplate \"{name}\" not found; apply it (kind: AnalysisTemplate) with the rollout");
                continue;
            }

            var (resolved, resolveErrors) = template.Resolve(args);
            metrics.AddRange(resolved.Select(analysis.Options.Apply));
            errors.AddRange(resolveErrors);
        }

        metrics.AddRange(analysis.Inline.IsDefault ? [] : analysis.Inline);
        return (metrics.ToImmutable(), errors);
    }

    /// <summary>A replica set's pod-template-hash: its name is the rollout's name, a dash and the hash.</summary>
    private static string HashOf(string? replicaSet) => replicaSet is null ? "" : replicaSet[(replicaSet.LastIndexOf('-') + 1)..];

    /// <summary>The analysis a run belongs to: its step's, or the background one.</summary>
    public static RolloutAnalysis? AnalysisOf(Rollout rollout, AnalysisRunStatus run) =>
        rollout.Spec.Strategy.BlueGreen is { } blueGreen
            ? run.Step == BlueGreenStrategyPlanner.PreAnalysisStep ? blueGreen.PrePromotionAnalysis
            : run.Step == BlueGreenStrategyPlanner.PostAnalysisStep ? blueGreen.PostPromotionAnalysis : null
        : rollout.Spec.Strategy.Canary is not { } canary ? null
        : run.Step < 0 ? canary.Analysis
        : run.Step >= canary.Steps.Length ? null
        : canary.Steps[run.Step] switch
        {
            AnalysisStep step => step.Analysis,
            ExperimentStep experiment => experiment.Analysis,
            _ => null,
        };

    /// <summary>Measurements due now for the rollout's running analyses.</summary>
    public static IReadOnlyList<DueMeasurement> Due(Rollout rollout, IReadOnlyDictionary<string, AnalysisTemplate> templates, DateTimeOffset now)
    {
        var due = new List<DueMeasurement>();
        if (rollout.Status.Canary is not { Aborted: false } status)
        {
            return due;
        }

        foreach (var (run, background) in new[] { (status.StepAnalysis, false), (status.BackgroundAnalysis, true) })
        {
            if (run is null || AnalysisOf(rollout, run) is not { } analysis)
            {
                continue;
            }

            var (metrics, errors) = Resolve(analysis, templates, status);
            if (errors.Count > 0)
            {
                continue;
            }

            foreach (var metric in metrics)
            {
                if (MetricEvaluator.NextMeasurement(metric, run.MeasurementsOf(metric.Name), run.StartedAt) is { } at && at <= now)
                {
                    due.Add(new DueMeasurement(background, metric, run.StartedAt));
                }
            }
        }

        return due;
    }

    /// <summary>What a run is for, in words: "step 2", "background", "pre-promotion" or "post-promotion".</summary>
    public static string KindOf(AnalysisRunStatus run) => run.Step switch
    {
        BlueGreenStrategyPlanner.PreAnalysisStep => "pre-promotion",
        BlueGreenStrategyPlanner.PostAnalysisStep => "post-promotion",
        < 0 => "background",
        _ => $"step {run.Step + 1}",
    };

    /// <summary>Each metric of a run as it stands, for people following it; empty when its templates cannot be resolved.</summary>
    public static IReadOnlyList<MetricProgress> Progress(Rollout rollout, AnalysisRunStatus run, IReadOnlyDictionary<string, AnalysisTemplate> templates)
    {
        if (AnalysisOf(rollout, run) is not { } analysis)
        {
            return [];
        }

        var (metrics, errors) = Resolve(analysis, templates, rollout.Status.Canary);
        return errors.Count > 0 ? [] : metrics.Select(metric =>
        {
            var measurements = run.MeasurementsOf(metric.Name).Counted();
            return new MetricProgress(metric, MetricEvaluator.Evaluate(metric, measurements), measurements.Last,
                MetricEvaluator.NextMeasurement(metric, measurements, run.StartedAt));
        }).ToList();
    }

    /// <summary>The canary's status with one more measurement recorded.</summary>
    public static CanaryStatus Record(CanaryStatus status, bool background, AnalysisMetric metric, Measurement measurement) =>
        Record(status, background, metric.Name, measurement, metric.Retain ?? MetricMeasurements.Retained);

    public static CanaryStatus Record(CanaryStatus status, bool background, string metric, Measurement measurement, int retain = MetricMeasurements.Retained)
    {
        var run = background ? status.BackgroundAnalysis : status.StepAnalysis;
        if (run is null)
        {
            return status;
        }

        var existing = run.Metrics.FirstOrDefault(m => m.Metric == metric);
        var updated = existing is null
            ? run.Metrics.Add(new MetricMeasurements(metric, []).Add(measurement, retain))
            : run.Metrics.Replace(existing, existing.Add(measurement, retain));
        run = run with { Metrics = updated };
        return background ? status with { BackgroundAnalysis = run } : status with { StepAnalysis = run };
    }

    /// <summary>How a run stands: its phase, what decided it, and when the next measurement is due.</summary>
    internal static (AnalysisPhase Phase, string Message, DateTimeOffset? Next) Assess(AnalysisRunStatus run, ImmutableArray<AnalysisMetric> metrics)
    {
        var results = metrics.Select(m => MetricEvaluator.Evaluate(m, run.MeasurementsOf(m.Name))).ToList();
        // dryRun metrics are measured until they are done, but never decide: the run is what the others say
        var deciding = results.Where((_, i) => !metrics[i].DryRun).ToList();
        var dryRunning = results.Where((r, i) => metrics[i].DryRun && r.Phase == AnalysisPhase.Running).Any();
        var phase = deciding.Count == 0 ? (dryRunning ? AnalysisPhase.Running : AnalysisPhase.Successful) : MetricEvaluator.Overall(deciding);
        if (phase == AnalysisPhase.Successful && dryRunning)
        {
            phase = AnalysisPhase.Running;
        }

        results = deciding.Count == 0 ? results : deciding;
        var decisive = results.FirstOrDefault(r => r.Phase == phase && phase != AnalysisPhase.Running);
        var message = decisive is null ? "" : $"metric \"{decisive.Metric}\" assessed {phase}: {decisive.Message}";
        DateTimeOffset? next = null;
        foreach (var metric in metrics)
        {
            if (MetricEvaluator.NextMeasurement(metric, run.MeasurementsOf(metric.Name), run.StartedAt) is { } at && (next is null || at < next))
            {
                next = at;
            }
        }

        return (phase, message, next);
    }
}
