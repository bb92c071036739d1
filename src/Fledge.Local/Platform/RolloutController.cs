using System.Threading.Channels;
using Fledge.Control;
using Microsoft.Extensions.Logging;

namespace Fledge.Local.Platform;

/// <summary>
/// Reconciles rollouts on the local platform: a rollout is queued when it is applied or changed, when one
/// of its replicas changes, when the planner asks to look again, and on a short resync (availability after
/// minReadySeconds is a matter of time, not of an event). One rollout at a time, under the platform's gate.
/// CanaryDeployments go through the same queue (as "CanaryDeployment/NAME"); the track Deployments they
/// change are queued after them.
/// </summary>
internal sealed class RolloutController(LocalPlatform platform, TimeProvider time, ILogger logger) : IAsyncDisposable
{
    private static readonly TimeSpan Resync = TimeSpan.FromMilliseconds(250);
    private const string CanaryDeploymentKey = "CanaryDeployment/";

    private readonly Channel<string> _queue = Channel.CreateUnbounded<string>(new UnboundedChannelOptions { SingleReader = true });
    private readonly CancellationTokenSource _stop = new();
    private readonly Dictionary<string, Failure> _failing = new(StringComparer.Ordinal);
    private readonly Dictionary<string, DateTimeOffset> _timers = new(StringComparer.Ordinal);
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, bool> _changed = new(StringComparer.Ordinal);
    private Task? _loop;
    private Task? _resync;

    public void Start()
    {
        _loop = Task.Run(RunAsync);
        _resync = Task.Run(ResyncAsync);
    }

    public void Enqueue(string rollout) => _queue.Writer.TryWrite(rollout);

    public void EnqueueCanaryDeployment(string name) => _queue.Writer.TryWrite(CanaryDeploymentKey + name);

    /// <summary>A user changed the rollout (or CanaryDeployment, with <paramref name="canaryDeployment"/>): reconciled at once, even while its failures back off.</summary>
    public void Changed(string name, bool canaryDeployment = false)
    {
        var key = canaryDeployment ? CanaryDeploymentKey + name : name;
        _changed[key] = true;
        _queue.Writer.TryWrite(key);
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _queue.Writer.TryComplete();
        await Task.WhenAll(_loop ?? Task.CompletedTask, _resync ?? Task.CompletedTask).ConfigureAwait(false);
        _stop.Dispose();
    }

    private async Task RunAsync()
    {
        var pending = new HashSet<string>(StringComparer.Ordinal);
        try
        {
            while (await _queue.Reader.WaitToReadAsync(_stop.Token))
            {
                while (_queue.Reader.TryRead(out var name))
                {
                    pending.Add(name);
                }

                foreach (var name in pending)
                {
                    // A key that failed waits out its back-off (its timer queues it again), whatever else queues it.
                    if (_changed.TryRemove(name, out _) || !_failing.TryGetValue(name, out var failure) || time.GetUtcNow() >= failure.NotBefore)
                    {
                        await ReconcileAsync(name);
                    }
                }

                pending.Clear();
            }
        }
        catch (OperationCanceledException)
        {
            // Stopping.
        }
    }

    private async Task ReconcileAsync(string name)
    {
        await platform.Gate.WaitAsync(_stop.Token);
        try
        {
            ReconcileResult result;
            if (name.StartsWith(CanaryDeploymentKey, StringComparison.Ordinal))
            {
                var cd = name[CanaryDeploymentKey.Length..];
                if (platform.FindCanaryDeployment(cd) is null)
                {
                    return;
                }

                result = CanaryDeploymentReconciler.Reconcile(platform, cd, time.GetUtcNow());
            }
            else
            {
                if (platform.Find(name) is null)
                {
                    return;
                }

                result = Reconciler.Reconcile(platform, name, time.GetUtcNow());
                if (platform.ScaleDownWorkload(name, time.GetUtcNow()) is { } deployment)
                {
                    Changed(deployment);
                }

                if (platform.RestartReplicas(name, time.GetUtcNow()) is { } restartIn && (result.RequeueAfter is null || restartIn < result.RequeueAfter))
                {
                    result = result with { RequeueAfter = restartIn };
                }
            }

            if (_failing.Remove(name))
            {
                logger.LogInformation("reconciling {Key} works again", name);
            }

            if (result.RequeueAfter is { } after)
            {
                _ = RequeueAsync(name, after);
            }
        }
        catch (Exception e) when (e is InvalidOperationException or IOException or Microsoft.Data.Sqlite.SqliteException or KeyNotFoundException
            or Store.StateWriteException)
        {
            // Back-off from 1 s doubling to 30 s; the same failure again is logged once, not each time.
            var previous = _failing.GetValueOrDefault(name);
            var delay = previous is null ? TimeSpan.FromSeconds(1) : TimeSpan.FromTicks(Math.Min(previous.Delay.Ticks * 2, MaxBackOff.Ticks));
            _failing[name] = new Failure(time.GetUtcNow() + delay, delay, e.Message);
            if (previous?.Message != e.Message)
            {
                if (e is Store.StateWriteException)
                {
                    logger.LogError("reconciling {Key} failed: {Message}; retrying with back-off (up to {MaxBackOff} s)", name, e.Message, MaxBackOff.TotalSeconds);
                }
                else
                {
                    logger.LogError(e, "reconciling {Key} failed; retrying with back-off (up to {MaxBackOff} s)", name, MaxBackOff.TotalSeconds);
                }
            }

            _ = RequeueAsync(name, delay);
            return;
        }
        finally
        {
            platform.Gate.Release();
        }
    }

    private static readonly TimeSpan MaxBackOff = TimeSpan.FromSeconds(30);

    private sealed record Failure(DateTimeOffset NotBefore, TimeSpan Delay, string Message);

    /// <summary>Queues the key again after a while; a key has one timer at a time, the earliest asked for.</summary>
    private async Task RequeueAsync(string name, TimeSpan after)
    {
        var due = time.GetUtcNow() + after;
        lock (_timers)
        {
            if (_timers.TryGetValue(name, out var pending) && pending <= due)
            {
                return;
            }

            _timers[name] = due;
        }

        try
        {
            await Task.Delay(after, time, _stop.Token);
            lock (_timers)
            {
                if (_timers.GetValueOrDefault(name) == due)
                {
                    _timers.Remove(name);
                }
            }

            Enqueue(name);
        }
        catch (OperationCanceledException)
        {
            // Stopping.
        }
    }

    private async Task ResyncAsync()
    {
        try
        {
            while (!_stop.IsCancellationRequested)
            {
                await Task.Delay(Resync, time, _stop.Token);
                await platform.Gate.WaitAsync(_stop.Token);
                List<string> names;
                try
                {
                    names = platform.Rollouts.Select(r => r.Name)
                        .Concat(platform.CanaryDeployments.Select(c => CanaryDeploymentKey + c.Name))
                        .ToList();
                }
                finally
                {
                    platform.Gate.Release();
                }

                foreach (var name in names)
                {
                    Enqueue(name);
                }
            }
        }
        catch (OperationCanceledException)
        {
            // Stopping.
        }
    }
}
