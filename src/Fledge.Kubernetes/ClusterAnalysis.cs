using System.Collections.Immutable;
using Fledge.Core.Analysis;
using Fledge.Core.Planning;
using Fledge.Metrics;
using k8s.Models;
using Microsoft.Extensions.Logging;

namespace Fledge.Kubernetes;

/// <summary>
/// Takes the measurements the cluster's rollouts are due for (a canary's step and background analyses, a blue-green
/// rollout's pre- and post-promotion ones), through the metric providers, and records each in the rollout's status
/// (the status subresource, with the resourceVersion read), then queues the rollout so the planner judges it: the
/// same split as on one host. Each measurement runs on its own, so a slow metrics source holds up only itself.
/// </summary>
internal sealed class ClusterAnalysis(
    RolloutCaches rollouts,
    KubernetesPlatform platform,
    Func<string, ImmutableDictionary<string, AnalysisTemplate>> templates,
    MetricProviders providers,
    Action<string> measured,
    TimeProvider time,
    ILogger logger)
{
    private static readonly TimeSpan Tick = TimeSpan.FromMilliseconds(500);
    private const int Attempts = 5;
    private readonly Control.InFlight _inFlight = new(
        e => e is InvalidOperationException or HttpRequestException or k8s.Autorest.HttpOperationException or IOException
            or KeyNotFoundException or InvalidRolloutException or OperationCanceledException,
        (key, e) => logger.LogWarning("{Key}: recording the measurement failed ({Message}); it is taken again", key, e.Message));

    public async Task RunAsync(CancellationToken cancel)
    {
        try
        {
            await rollouts.Synced.WaitAsync(cancel);
            while (!cancel.IsCancellationRequested)
            {
                await Task.Delay(Tick, time, cancel);
                MeasureDue(cancel);
            }
        }
        catch (OperationCanceledException)
        {
            // The term ended (the Lease lost, or stopping).
        }
    }

    private void MeasureDue(CancellationToken cancel)
    {
        var now = time.GetUtcNow();
        foreach (var obj in rollouts.Objects)
        {
            if (obj.Status is null || !obj.Status.ContainsKey("canary"))
            {
                continue;
            }

            var key = ObjectCache<RolloutObject>.Key(obj.Metadata.NamespaceProperty, obj.Metadata.Name);
            IReadOnlyList<DueMeasurement> due;
            MeasureContext context;
            try
            {
                var snapshot = KubernetesPlatform.Snapshot(obj, platform.OwnedBy(obj), now);
                due = CanaryAnalysis.Due(snapshot.Rollout, templates(obj.Metadata.NamespaceProperty ?? ""), now);
                string? RevisionOf(string? rs) => rs is null ? null
                    : snapshot.ReplicaSets.FirstOrDefault(s => s.Name == rs)?.Revision.ToString(System.Globalization.CultureInfo.InvariantCulture);
                var canary = snapshot.Rollout.Status.Canary;
                context = new MeasureContext(now)
                {
                    CanaryRevision = RevisionOf(canary?.CanaryReplicaSet), StableRevision = RevisionOf(canary?.StableReplicaSet), Namespace = obj.Metadata.NamespaceProperty,
                    Rollout = obj.Metadata.Name,
                };
            }
            catch (InvalidRolloutException)
            {
                continue;
            }

            foreach (var measurement in due)
            {
                _inFlight.Launch($"{key}/{measurement.Key}", () => MeasureAsync(key, measurement, context with { Since = measurement.RunStartedAt }, cancel), cancel);
            }
        }
    }

    private async Task MeasureAsync(string key, DueMeasurement due, MeasureContext context, CancellationToken cancel)
    {
        var result = await providers.MeasureAsync(due.Metric, context, cancel);
        logger.LogInformation("{Key}: measured {Message} ({Phase})", key, result.Message, result.Phase);
        var slash = key.IndexOf('/', StringComparison.Ordinal);
        for (var attempt = 1; attempt <= Attempts; attempt++)
        {
            cancel.ThrowIfCancellationRequested();
            if (rollouts.Get(key[..slash], key[(slash + 1)..]) is not { } obj)
            {
                return;
            }

            var rollout = KubernetesPlatform.ToRollout(obj);
            // Recorded only in the run it was taken for: a new canary since has a run of its own.
            if (rollout.Status.Canary is not { } canary || (due.Background ? canary.BackgroundAnalysis : canary.StepAnalysis)?.StartedAt != due.RunStartedAt)
            {
                return;
            }

            try
            {
                platform.WriteStatus(obj, rollout.Status with { Canary = CanaryAnalysis.Record(canary, due.Background, due.Metric, result) });
                measured(key);
                return;
            }
            catch (StaleRolloutException)
            {
                // The operator (or a promote) wrote the status in between: the watch brings it; record on top of it.
                await Task.Delay(TimeSpan.FromMilliseconds(100 * attempt), time, cancel);
            }
        }
    }
}
