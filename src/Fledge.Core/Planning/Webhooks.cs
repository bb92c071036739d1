using System.Collections.Immutable;
using Fledge.Core.Analysis;
using Fledge.Core.Rollouts;

namespace Fledge.Core.Planning;

/// <summary>
/// Flagger's webhook gates as the planner already runs them: an analysis of one metric per webhook, whose measurement is a
/// POST to it (provider "webhook": 1 for a 2xx answer). confirm-rollout and pre-rollout are an analysis step before the
/// first (at weight 0: the canary has no replicas and no traffic yet), confirm-promotion one after the last; rollback joins
/// the background analysis. A confirm gate asks every 5 s until it gets a 2xx, and never fails; pre-rollout aborts the
/// canary after its retries; rollback aborts it as soon as it answers 2xx.
/// </summary>
public static class Webhooks
{
    private static readonly TimeSpan Every = TimeSpan.FromSeconds(5);

    public static (ImmutableArray<CanaryStep> Steps, RolloutAnalysis? Background) Gates(IReadOnlyList<Webhook> hooks, ImmutableArray<CanaryStep> steps, RolloutAnalysis? background)
    {
        if (hooks.Count == 0)
        {
            return (steps, background);
        }

        var before = new List<CanaryStep>();
        foreach (var type in new[] { Webhook.ConfirmRollout, Webhook.PreRollout })
        {
            if (Step(hooks, type) is { } step)
            {
                before.Add(step);
            }
        }

        var after = Step(hooks, Webhook.ConfirmPromotion) is { } promotion ? [promotion] : Array.Empty<CanaryStep>();
        var rollback = hooks.Where(h => h.Type == Webhook.Rollback).Select(Metric).ToImmutableArray();
        if (!rollback.IsEmpty)
        {
            background = background is null
                ? new RolloutAnalysis([], ImmutableSortedDictionary<string, string>.Empty, 0) { Inline = rollback }
                : background with { Inline = (background.Inline.IsDefault ? [] : background.Inline).AddRange(rollback) };
        }

        return ([.. before, .. steps, .. after], background);
    }

    private static AnalysisStep? Step(IReadOnlyList<Webhook> hooks, string type)
    {
        var metrics = hooks.Where(h => h.Type == type).Select(Metric).ToImmutableArray();
        return metrics.IsEmpty ? null : new AnalysisStep(new RolloutAnalysis([], ImmutableSortedDictionary<string, string>.Empty, 0) { Inline = metrics });
    }

    /// <summary>One webhook as a metric: measured by a POST, judged by what its type means.</summary>
    public static AnalysisMetric Metric(Webhook hook)
    {
        var provider = new MetricProvider("webhook", ImmutableSortedDictionary.CreateRange(StringComparer.Ordinal, new Dictionary<string, string>
        {
            ["url"] = hook.Url,
            ["type"] = hook.Type,
            ["timeoutSeconds"] = hook.Timeout.TotalSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["metadata"] = System.Text.Json.JsonSerializer.Serialize(hook.Metadata),
        }));
        var answered = Condition("result == 1");
        return hook.Type switch
        {
            // a 2xx means roll back: that fails the background analysis, which aborts the canary
            Webhook.Rollback => new AnalysisMetric(hook.Name, provider, null, answered, Every, null, TimeSpan.Zero, 0, 0, int.MaxValue),
            // a failure counts: past the retries the gate fails and the canary is aborted
            Webhook.PreRollout => new AnalysisMetric(hook.Name, provider, answered, null, Every, null, TimeSpan.Zero, hook.Retries, 0, hook.Retries)
            {
                ConsecutiveSuccessLimit = 1,
            },
            // confirm-*: asked until it answers 2xx; a refusal or no answer only waits
            _ => new AnalysisMetric(hook.Name, provider, answered, null, Every, null, TimeSpan.Zero, int.MaxValue, 0, int.MaxValue)
            {
                ConsecutiveSuccessLimit = 1,
            },
        };
    }

    private static ConditionExpression Condition(string text) =>
        ConditionExpression.TryParse(text, out var expression, out var error) ? expression! : throw new InvalidOperationException(error);
}
