using System.Collections.Immutable;
using System.Globalization;
using Fledge.Core.Planning;
using Fledge.Core.Rollouts;
using Fledge.Local.Replicas;

namespace Fledge.Local.Api;

/// <summary>
/// A rollout as `get`, `describe` and `rollout status` show it, made from what any platform holds (the rollout, its
/// replica sets, the AnalysisTemplates and what keeps replicas from being ready): the runtime and a cluster answer alike.
/// </summary>
public static class RolloutViews
{
    public static RolloutSummary Summary(
        string name, string kind, Rollout rollout, DateTimeOffset createdAt, IReadOnlyCollection<ReplicaSetState> sets,
        ImmutableDictionary<string, Core.Analysis.AnalysisTemplate> templates, IReadOnlyList<string> problems, DateTimeOffset now)
    {
        var status = rollout.Status;
        var images = sets.Where(rs => rs.Replicas > 0).OrderBy(rs => rs.Revision).Select(rs => rs.Template.Image).Distinct().ToList();
        var revision = rollout.Annotations.TryGetValue(Annotations.Revision, out var text) ? long.Parse(text, CultureInfo.InvariantCulture) : 0;
        long? RevisionOf(string? replicaSet) => replicaSet is null ? null : sets.FirstOrDefault(rs => rs.Name == replicaSet)?.Revision;
        return new RolloutSummary(
            name, kind, rollout.Spec.Strategy.Type.ToString(), rollout.Spec.Replicas, status.Replicas, status.UpdatedReplicas,
            status.ReadyReplicas, status.AvailableReplicas, revision, images.Count > 0 ? images : [rollout.Spec.Template.Image], rollout.Spec.Paused,
            rollout.Generation, status.ObservedGeneration,
            status.Conditions.Select(c => new ConditionSummary(c.Type, c.Status.ToString(), c.Reason, c.Message, c.LastUpdateTime, c.LastTransitionTime)).ToList(),
            createdAt)
        {
            Canary = status.Canary is not { } canary ? null
                : rollout.Spec.Strategy.Canary is { } strategy
                    ? new CanarySummary(canary.Phase, canary.Message, Math.Min(canary.CurrentStepIndex, strategy.Steps.Length), strategy.Steps.Length,
                        canary.Weight, canary.StableReplicaSet, canary.CanaryReplicaSet, strategy.TrafficRouted)
                    {
                        Analyses = Analyses(rollout, canary, templates),
                        StableRevision = RevisionOf(canary.StableReplicaSet),
                        CanaryRevision = RevisionOf(canary.CanaryReplicaSet),
                    }
                    : null,
            BlueGreen = status.Canary is { } active && rollout.Spec.Strategy.BlueGreen is { } blueGreen
                ? BlueGreen(name, blueGreen, active, RevisionOf, templates, rollout, now)
                : null,
            Problems = problems,
        };
    }

    /// <summary>What `describe` shows: the summary, the spec's rollout fields, the replica sets, the rollout's replicas and its last events.</summary>
    public static RolloutDetail Detail(
        RolloutSummary summary, RolloutSpec spec, List<ReplicaSetSummary> sets, IEnumerable<ReplicaView> replicas, IEnumerable<EventSummary> events) => new(
        summary,
        string.Join(",", (spec.Selector.MatchLabels ?? new Dictionary<string, string>()).Select(l => $"{l.Key}={l.Value}")),
        spec.MinReadySeconds,
        spec.ProgressDeadlineSeconds,
        spec.RevisionHistoryLimit,
        spec.Strategy.Type == StrategyType.RollingUpdate ? spec.Strategy.MaxSurge.ToString() : null,
        spec.Strategy.Type == StrategyType.RollingUpdate ? spec.Strategy.MaxUnavailable.ToString() : null,
        sets,
        replicas.Where(p => p.Rollout == summary.Name).OrderBy(p => p.Name, StringComparer.Ordinal).ToList(),
        events.ToList());

    /// <summary>Why replicas of a rollout are not ready, one line per distinct reason: "hello-x7k2p (and 2 more): Failed: image ... has no command".</summary>
    public static List<string> Problems(string rollout, IEnumerable<ReplicaView> replicas) =>
        replicas
            .Where(p => p.Rollout == rollout && !p.Ready && p.Phase != ReplicaPhase.Terminating && !string.IsNullOrEmpty(p.Message))
            .GroupBy(p => (p.Phase, p.Message))
            .Select(g => $"{g.OrderBy(p => p.Name, StringComparer.Ordinal).First().Name}{(g.Count() > 1 ? $" (and {g.Count() - 1} more)" : "")}: {g.Key.Phase}: {g.Key.Message}")
            .ToList();

    /// <summary>A rollout's replica sets, oldest revision first.</summary>
    public static List<ReplicaSetSummary> ReplicaSets(string rollout, IEnumerable<ReplicaSetState> sets) =>
        sets.OrderBy(rs => rs.Revision)
            .Select(rs => new ReplicaSetSummary(rs.Name, rollout, rs.Revision, rs.Template.Image, rs.Replicas, rs.ObservedReplicas,
                rs.ReadyReplicas, rs.AvailableReplicas, rs.CreatedAt))
            .ToList();

    /// <summary>`rollout history`: every revision, or one revision with its pod template.</summary>
    public static HistoryList History(string name, IReadOnlyCollection<ReplicaSetState> sets, long? revision, string verb = "fledge")
    {
        if (revision is { } wanted)
        {
            var rs = sets.FirstOrDefault(r => r.Revision == wanted)
                ?? throw new CommandException(404, $"unable to find the specified revision {wanted} of \"{name}\"; `{verb} rollout history {name}` lists them");
            return new HistoryList([new HistoryEntry(rs.Revision, rs.ChangeCause, rs.Template.Image, rs.Name, k8s.KubernetesYaml.Serialize(rs.Template.Spec))]);
        }

        return new HistoryList(Core.Planning.History.Of(sets).Select(e => new HistoryEntry(e.Revision, e.ChangeCause, e.Image, e.ReplicaSet, null)).ToList());
    }

    private static BlueGreenSummary BlueGreen(
        string name, BlueGreenStrategy strategy, CanaryStatus status, Func<string?, long?> revision,
        ImmutableDictionary<string, Core.Analysis.AnalysisTemplate> templates, Rollout rollout, DateTimeOffset now)
    {
        DateTimeOffset? autoPromoteAt = status.CanaryReplicaSet is not null && strategy.AutoPromotionEnabled && strategy.AutoPromotionSeconds is { } seconds
            && status.PauseStartTime is { } pausedAt ? pausedAt + TimeSpan.FromSeconds(seconds) : null;
        var promotion = status.Aborted ? $"aborted: the active Service stays on revision {revision(status.StableReplicaSet)}; apply a new version or `fledge rollout retry {name}`"
            : status.CanaryReplicaSet is null ? status.PreviousReplicaSet is not null ? $"promoted: revision {revision(status.StableReplicaSet)} is active" : "nothing to promote"
            : status.Phase == RolloutPhases.Paused && !strategy.AutoPromotionEnabled ? $"waiting for `fledge rollout promote {name}`"
            : autoPromoteAt is { } at ? $"automatic at {at.UtcDateTime:HH:mm:ss}Z (in {Core.Durations.Format(TimeSpan.FromSeconds(Math.Max(0, Math.Ceiling((at - now).TotalSeconds))))})"
            : strategy.AutoPromotionEnabled ? "automatic, once the preview is available" + (strategy.PrePromotionAnalysis is null ? "" : " and its pre-promotion analysis passed")
            : "after the preview is available: `fledge rollout promote`";
        return new BlueGreenSummary(status.Phase, status.Message, strategy.ActiveService, strategy.PreviewService,
            status.StableReplicaSet, revision(status.StableReplicaSet), status.CanaryReplicaSet, revision(status.CanaryReplicaSet), status.PreviousReplicaSet,
            promotion, autoPromoteAt, status.ScaleDownAt)
        {
            Analyses = Analyses(rollout, status, templates),
        };
    }

    /// <summary>The canary's analysis runs, metric by metric, with when each next measurement is due.</summary>
    private static List<AnalysisSummary> Analyses(Rollout rollout, CanaryStatus canary, ImmutableDictionary<string, Core.Analysis.AnalysisTemplate> templates) =>
        new[] { canary.StepAnalysis, canary.BackgroundAnalysis }.OfType<AnalysisRunStatus>().Select(run =>
        {
            var progress = CanaryAnalysis.Progress(rollout, run, templates);
            var metrics = progress.Select(p => new MetricSummary(
                p.Metric.Name, p.Metric.Provider.Kind, p.Result.Phase.ToString(), p.Result.Successful + p.Result.Failed + p.Result.Inconclusive, p.Metric.MeasurementsNeeded,
                run.MeasurementsOf(p.Metric.Name).Counted().ConsecutiveErrors, p.Metric.ConsecutiveErrorLimit,
                p.Last is { } last ? new MeasurementView(last.Value, last.ValueText, last.Phase.ToString(), last.FinishedAt, last.Message) : null,
                p.NextAt, p.Metric.SuccessCondition?.Text, p.Metric.FailureCondition?.Text, p.Result.Message)).ToList();
            var phase = Core.Analysis.MetricEvaluator.Overall(progress.Select(p => p.Result));
            return new AnalysisSummary(run.Name, CanaryAnalysis.KindOf(run), phase.ToString(), run.StartedAt, metrics);
        }).ToList();
}
