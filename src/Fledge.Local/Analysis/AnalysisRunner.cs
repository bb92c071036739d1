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
internal sealed class AnalysisRunner(LocalPlatform platform, MetricProviders providers, RolloutController controller, TimeProvider time, ILogger logger)
    : IAsyncDisposable
{
    private static readonly TimeSpan Tick = TimeSpan.FromMilliseconds(500);
    private readonly CancellationTokenSource _stop = new();
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
                await MeasureDueAsync();
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
        List<(string Rollout, DueMeasurement Due)> due;
        await platform.Gate.WaitAsync(_stop.Token);
        try
        {
            due = platform.Rollouts
                .SelectMany(r => CanaryAnalysis.Due(r.Rollout, platform.Templates, now).Select(d => (r.Name, d)))
                .ToList();
        }
        finally
        {
            platform.Gate.Release();
        }

        foreach (var (rollout, measurement) in due)
        {
            var result = await providers.MeasureAsync(measurement.Metric, new MeasureContext(measurement.RunStartedAt), _stop.Token);
            logger.LogInformation("{Rollout}: measured {Message} ({Phase})", rollout, result.Message, result.Phase);
            await platform.Gate.WaitAsync(_stop.Token);
            try
            {
                if (platform.Find(rollout) is { Status.Canary: { } canary } record)
                {
                    record.SetStatus(record.Status with { Canary = CanaryAnalysis.Record(canary, measurement.Background, measurement.Metric.Name, result) });
                    platform.Put(record, time.GetUtcNow());
                }
            }
            finally
            {
                platform.Gate.Release();
            }

            controller.Enqueue(rollout);
        }
    }
}
