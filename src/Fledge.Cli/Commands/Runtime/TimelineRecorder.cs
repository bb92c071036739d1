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
        var failed = _load.Counts.Failed;
        while (!_stop.IsCancellationRequested)
        {
            try
            {
                await Task.Delay(Every, _stop.Token);
                var weight = (await _client.GetAsync<RolloutList>("v1/rollouts")).Items.FirstOrDefault(r => r.Name == _rollout)?.Canary?.Weight ?? 0;
                var nowVersions = _load.ByVersion;
                var nowFailed = _load.Counts.Failed;
                var answered = nowVersions.ToDictionary(v => v.Key, v => v.Value - versions.GetValueOrDefault(v.Key), StringComparer.Ordinal);
                var failedNow = nowFailed - failed;
                var total = answered.Values.Sum() + failedNow;
                if (total > 0)
                {
                    var shares = answered.ToDictionary(v => v.Key, v => 100.0 * v.Value / total, StringComparer.Ordinal);
                    lock (_samples)
                    {
                        _samples.Add(new TimelineSample(Seconds, shares, 100.0 * failedNow / total, weight));
                    }
                }

                (versions, failed) = (nowVersions, nowFailed);
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
