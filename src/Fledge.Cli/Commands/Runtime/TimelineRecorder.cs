using System.Diagnostics;
using Fledge.Cli.Client;
using Fledge.Cli.Output;
using Fledge.Local.Api;

namespace Fledge.Cli.Commands.Runtime;

/// <summary>
/// Samples a release as it happens, every half second: which versions answered the load's requests, how many
/// failed, and the canary weight the rollout has set. Marks record events (a canary started, promoted, aborted).
/// </summary>
internal sealed class TimelineRecorder : IAsyncDisposable
{
    private static readonly TimeSpan Every = TimeSpan.FromMilliseconds(500);
    private readonly ControlClient _client;
    private readonly LoadGenerator _load;
    private readonly string _rollout;
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private readonly CancellationTokenSource _stop = new();
    private readonly List<TimelineSample> _samples = [];
    private readonly List<TimelineMark> _marks = [];
    private readonly Task _loop;

    public TimelineRecorder(ControlClient client, LoadGenerator load, string rollout)
    {
        _client = client;
        _load = load;
        _rollout = rollout;
        _loop = Task.Run(RunAsync);
    }

    public double Seconds => _clock.Elapsed.TotalSeconds;

    public IReadOnlyList<TimelineSample> Samples
    {
        get
        {
            lock (_samples)
            {
                return [.. _samples];
            }
        }
    }

    public IReadOnlyList<TimelineMark> Marks
    {
        get
        {
            lock (_samples)
            {
                return [.. _marks];
            }
        }
    }

    public void Mark(string label)
    {
        lock (_samples)
        {
            _marks.Add(new TimelineMark(Seconds, label));
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await _loop;
        _stop.Dispose();
    }

    private async Task RunAsync()
    {
        var versions = _load.ByVersion;
        var failedVersions = _load.FailedByVersion;
        var failed = _load.Counts.Failed;
        while (!_stop.IsCancellationRequested)
        {
            try
            {
                await Task.Delay(Every, _stop.Token);
                var detail = await _client.GetAsync<RolloutDetail>($"v1/rollouts/{Uri.EscapeDataString(_rollout)}");
                var canary = detail.Rollout.Canary;
                var weight = canary?.Weight ?? 0;
                // The canary's version as its answers name it (X-Version): the tag of the canary replica set's image.
                var canaryVersion = detail.ReplicaSets.FirstOrDefault(rs => rs.Name == canary?.CanaryReplicaSet)?.Image.Split(':').LastOrDefault();
                var nowVersions = _load.ByVersion;
                var nowFailedVersions = _load.FailedByVersion;
                var nowFailed = _load.Counts.Failed;
                var answered = nowVersions.ToDictionary(v => v.Key, v => v.Value - versions.GetValueOrDefault(v.Key), StringComparer.Ordinal);
                var failedNow = nowFailed - failed;
                var total = answered.Values.Sum() + failedNow;
                if (total > 0)
                {
                    var shares = answered.ToDictionary(v => v.Key, v => 100.0 * v.Value / total, StringComparer.Ordinal);
                    double? canaryErrors = null;
                    if (canaryVersion is not null)
                    {
                        var canaryFailed = nowFailedVersions.GetValueOrDefault(canaryVersion) - failedVersions.GetValueOrDefault(canaryVersion);
                        var canaryAll = answered.GetValueOrDefault(canaryVersion) + canaryFailed;
                        canaryErrors = canaryAll > 0 ? 100.0 * canaryFailed / canaryAll : null;
                    }

                    lock (_samples)
                    {
                        _samples.Add(new TimelineSample(Seconds, shares, 100.0 * failedNow / total, weight) { CanaryFailedPercent = canaryErrors });
                    }
                }

                (versions, failedVersions, failed) = (nowVersions, nowFailedVersions, nowFailed);
            }
            catch (OperationCanceledException)
            {
                return;
            }
            catch (HttpRequestException)
            {
                // The runtime is stopping; the timeline ends here.
                return;
            }
        }
    }
}
