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
    private Task? _loop;
    private Task? _resync;

    public void Start()
    {
        _loop = Task.Run(RunAsync);
        _resync = Task.Run(ResyncAsync);
    }

    public void Enqueue(string rollout) => _queue.Writer.TryWrite(rollout);

    public void EnqueueCanaryDeployment(string name) => _queue.Writer.TryWrite(CanaryDeploymentKey + name);

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
                    await ReconcileAsync(name);
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
            }

            if (result.RequeueAfter is { } after)
            {
                _ = RequeueAsync(name, after);
            }
        }
        catch (Exception e) when (e is InvalidOperationException or IOException or Microsoft.Data.Sqlite.SqliteException or KeyNotFoundException)
        {
            logger.LogError(e, "reconciling rollout {Rollout} failed; retrying", name);
            _ = RequeueAsync(name, TimeSpan.FromSeconds(1));
        }
        finally
        {
            platform.Gate.Release();
        }
    }

    private async Task RequeueAsync(string name, TimeSpan after)
    {
        try
        {
            await Task.Delay(after, time, _stop.Token);
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
