using Fledge.Control;
using Fledge.Core.Kanarini;
using Fledge.Core.Planning;
using Fledge.Local.Platform;
using Fledge.Metrics;
using Microsoft.Extensions.Logging;

namespace Fledge.Local.Analysis;

/// <summary>
/// Takes the measurements the rollouts' analyses are due for, through the metric providers, and records
/// them in the canary's status (written to the store), then asks the controller to look at the rollout.
/// The providers are called outside the platform's gate, so a slow Prometheus never holds up the rollouts.
/// </summary>
internal sealed class AnalysisRunner(
    LocalPlatform platform, MetricProviders providers, TrackMetricReader trackMetrics, RolloutController controller, TimeProvider time, ILogger logger)
    : IAsyncDisposable
{
    private static readonly TimeSpan Tick = TimeSpan.FromMilliseconds(500);

    /// <summary>A CanaryDeployment check whose metric could not be read is tried again after this long.</summary>
    private static readonly TimeSpan CheckRetry = TimeSpan.FromSeconds(5);

    /// <summary>How long reading one of a check's metrics may take before the check counts as failed to read (and is retried).</summary>
    private static readonly TimeSpan CheckTimeout = TimeSpan.FromSeconds(30);

    private readonly Dictionary<string, DateTimeOffset> _retryAt = new(StringComparer.Ordinal);
    private readonly CancellationTokenSource _stop = new();
    private readonly InFlight _inFlight = new(
        e => e is InvalidOperationException or IOException or Microsoft.Data.Sqlite.SqliteException or KeyNotFoundException,
        (key, e) => logger.LogError(e, "{Key}: taking the measurement failed; it is taken again", key));
    private Task? _loop;

    public void Start() => _loop = Task.Run(RunAsync);

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        if (_loop is not null)
        {
            await _loop;
        }

        _stop.Dispose();
    }

    private async Task RunAsync()
    {
        try
        {
            while (!_stop.IsCancellationRequested)
            {
                await Task.Delay(Tick, time, _stop.Token);
                try
                {
                    await MeasureDueAsync();
                    await CheckCanaryDeploymentsAsync();
                }
                catch (Exception e) when (e is InvalidOperationException or IOException or Microsoft.Data.Sqlite.SqliteException or KeyNotFoundException)
                {
                    // The next tick tries again; the runner must outlive one bad pass.
                    logger.LogError(e, "taking analysis measurements failed; retrying");
                }
            }
        }
        catch (OperationCanceledException)
        {
            // Stopping.
        }
    }

    private async Task MeasureDueAsync()
    {
        var now = time.GetUtcNow();
        List<(string Rollout, DueMeasurement Due, MeasureContext Context)> due;
        await platform.Gate.WaitAsync(_stop.Token);
        try
        {
            due = platform.Rollouts
                .SelectMany(r => CanaryAnalysis.Due(r.Rollout, platform.Templates, now).Select(d => (r.Name, d, Context(r, d))))
                .ToList();
        }
        finally
        {
            platform.Gate.Release();
        }

        foreach (var (rollout, measurement, context) in due)
        {
            _inFlight.Launch($"{rollout}/{measurement.Key}", () => MeasureAsync(rollout, measurement, context), _stop.Token);
        }
    }

    private async Task MeasureAsync(string rollout, DueMeasurement measurement, MeasureContext context)
    {
        var result = await providers.MeasureAsync(measurement.Metric, context, _stop.Token);
        logger.LogInformation("{Rollout}: measured {Message} ({Phase})", rollout, result.Message, result.Phase);
        await platform.Gate.WaitAsync(_stop.Token);
        try
        {
            // Recorded only in the run it was taken for: a new canary since has a run of its own.
            if (platform.Find(rollout) is { Status.Canary: { } canary } record
                && (measurement.Background ? canary.BackgroundAnalysis : canary.StepAnalysis)?.StartedAt == measurement.RunStartedAt)
            {
                record.SetStatus(record.Status with { Canary = CanaryAnalysis.Record(canary, measurement.Background, measurement.Metric, result) });
                platform.Put(record, time.GetUtcNow());
            }
        }
        finally
        {
            platform.Gate.Release();
        }

        controller.Enqueue(rollout);
    }

    /// <summary>A measurement's context: when its run began, and the canary's and stable's revisions (for the judge).</summary>
    private MeasureContext Context(RolloutRecord record, DueMeasurement due)
    {
        string? RevisionOf(string? replicaSet) => replicaSet is null ? null
            : platform.ReplicaSetsOf(record.Name).FirstOrDefault(rs => rs.Name == replicaSet)?.Revision.ToString(System.Globalization.CultureInfo.InvariantCulture);
        var canary = record.Status.Canary;
        return new MeasureContext(due.RunStartedAt)
        {
            CanaryRevision = RevisionOf(canary?.CanaryReplicaSet), StableRevision = RevisionOf(canary?.StableReplicaSet), Rollout = record.Name, Namespace = "default",
        };
    }

    /// <summary>
    /// The CanaryDeployments' metrics checks that are due: each metric read once, outside the gate; the result
    /// recorded in the status (with Kanarini's events). A metric that cannot be read records nothing and the
    /// check is tried again, with a warning event, so a metrics source that is down never passes a template.
    /// </summary>
    private async Task CheckCanaryDeploymentsAsync()
    {
        var now = time.GetUtcNow();
        List<(string Name, string Namespace, DueCheck Check)> due;
        await platform.Gate.WaitAsync(_stop.Token);
        try
        {
            due = platform.CanaryDeployments
                .Where(r => { lock (_retryAt) { return !_retryAt.TryGetValue(r.Name, out var at) || at <= now; } })
                .Select(r => (r.Name, r.Deployment.Namespace, Check: MetricsCheck.Due(r.Deployment, platform.ObserveTrack(r.Deployment, TrackName.Canary), now)))
                .Where(d => d.Check is not null)
                .Select(d => (d.Name, d.Namespace, d.Check!))
                .ToList();
        }
        finally
        {
            platform.Gate.Release();
        }

        foreach (var (name, ns, check) in due)
        {
            _inFlight.Launch($"CanaryDeployment/{name}", () => CheckAsync(name, ns, check), _stop.Token);
        }
    }

    /// <summary>One CanaryDeployment's check: each metric read once, outside the gate; the result recorded with Kanarini's events.</summary>
    private async Task CheckAsync(string name, string ns, DueCheck check)
    {
        var values = new List<MetricValue>();
        string? problem = null;
        foreach (var metric in check.Metrics)
        {
            try
            {
                using var timeout = CancellationTokenSource.CreateLinkedTokenSource(_stop.Token);
                timeout.CancelAfter(CheckTimeout);
                var value = await trackMetrics.ReadAsync(metric, ns, check.Since, timeout.Token);
                if (value < 0 || double.IsNaN(value))
                {
                    problem = $"{metric.Display}: the value {value} cannot be judged (negative or NaN); the check will be retried";
                    break;
                }

                values.Add(new MetricValue(metric.Display, value, metric.Target));
            }
            catch (MetricProviderException e)
            {
                problem = e.Message;
                break;
            }
            catch (OperationCanceledException) when (!_stop.IsCancellationRequested)
            {
                problem = $"{metric.Display}: no answer within {CheckTimeout.TotalSeconds:0}s";
                break;
            }
            catch (Exception e) when (e is not OperationCanceledException || !_stop.IsCancellationRequested)
            {
                problem = $"{metric.Display}: reading it failed: {e.GetType().Name}: {e.Message}";
                break;
            }
        }

        await platform.Gate.WaitAsync(_stop.Token);
        try
        {
            if (platform.FindCanaryDeployment(name) is not { } record)
            {
                return;
            }

            var at = time.GetUtcNow();
            if (problem is not null)
            {
                lock (_retryAt)
                {
                    _retryAt[name] = at + CheckRetry;
                }

                logger.LogWarning("CanaryDeployment {Name}: metrics check failed: {Problem}", name, problem);
                platform.ApplyCanaryDeployment(name, new RecordEvent(RecordEvent.Warning, KanariniReasons.FailedGetMetric,
                    $"{problem}; retrying in {Core.Durations.Format(CheckRetry)}"), at);
                return;
            }

            lock (_retryAt)
            {
                _retryAt.Remove(name);
            }

            if (MetricsCheck.Record(record.Deployment, check, values, at) is not var (status, events))
            {
                return;
            }

            logger.LogInformation("CanaryDeployment {Name}: {Message}", name, events[0].Message);
            platform.ApplyCanaryDeployment(name, new UpdateCanaryDeploymentStatus(status, events[0].Message), at);
            foreach (var recorded in events)
            {
                platform.ApplyCanaryDeployment(name, recorded, at);
            }
        }
        finally
        {
            platform.Gate.Release();
        }

        controller.EnqueueCanaryDeployment(name);
    }
}
