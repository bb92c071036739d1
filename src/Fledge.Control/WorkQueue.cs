using System.Threading.Channels;

namespace Fledge.Control;

/// <summary>
/// Keys to reconcile, as client-go's rate-limited work queue holds them: a key is queued once however often it is
/// added, is never handed to two workers at once (added while in progress, it is handed out again after), can be
/// added after a delay (the planner's requeue-after), and a key that failed comes back with back-off (1 s doubling
/// to 30 s) until it succeeds.
/// </summary>
public sealed class WorkQueue(TimeProvider time) : IDisposable
{
    private static readonly TimeSpan FirstBackOff = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan MaxBackOff = TimeSpan.FromSeconds(30);

    private readonly Channel<string> _ready = Channel.CreateUnbounded<string>();
    private readonly Lock _gate = new();
    private readonly HashSet<string> _queued = new(StringComparer.Ordinal);
    private readonly HashSet<string> _processing = new(StringComparer.Ordinal);
    private readonly HashSet<string> _dirty = new(StringComparer.Ordinal);
    private readonly Dictionary<string, TimeSpan> _failures = new(StringComparer.Ordinal);
    private readonly Dictionary<string, DateTimeOffset> _timers = new(StringComparer.Ordinal);
    private readonly CancellationTokenSource _stop = new();

    /// <summary>Keys waiting to be handed out.</summary>
    public int Depth
    {
        get
        {
            lock (_gate)
            {
                return _queued.Count;
            }
        }
    }

    public void Add(string key)
    {
        lock (_gate)
        {
            if (_processing.Contains(key))
            {
                _dirty.Add(key);
                return;
            }

            if (_queued.Add(key))
            {
                _ready.Writer.TryWrite(key);
            }
        }
    }

    /// <summary>Adds the key after <paramref name="delay"/>; a key waits on one timer at a time, the earliest.</summary>
    public void AddAfter(string key, TimeSpan delay)
    {
        if (delay <= TimeSpan.Zero)
        {
            Add(key);
            return;
        }

        var due = time.GetUtcNow() + delay;
        lock (_gate)
        {
            if (_timers.TryGetValue(key, out var pending) && pending <= due)
            {
                return;
            }

            _timers[key] = due;
        }

        _ = Task.Run(async () =>
        {
            try
            {
                await Task.Delay(delay, time, _stop.Token);
            }
            catch (OperationCanceledException)
            {
                return;
            }

            lock (_gate)
            {
                if (_timers.GetValueOrDefault(key) == due)
                {
                    _timers.Remove(key);
                }
            }

            Add(key);
        });
    }

    /// <summary>The key failed: it comes back after its back-off, which doubles with each failure in a row.</summary>
    public TimeSpan AddRateLimited(string key)
    {
        TimeSpan delay;
        lock (_gate)
        {
            delay = _failures.TryGetValue(key, out var last) ? TimeSpan.FromTicks(Math.Min(last.Ticks * 2, MaxBackOff.Ticks)) : FirstBackOff;
            _failures[key] = delay;
        }

        AddAfter(key, delay);
        return delay;
    }

    /// <summary>The key succeeded: its next failure starts the back-off again.</summary>
    public void Forget(string key)
    {
        lock (_gate)
        {
            _failures.Remove(key);
        }
    }

    /// <summary>The next key to work on; call <see cref="Done"/> with it when finished.</summary>
    public async ValueTask<string> TakeAsync(CancellationToken cancel)
    {
        while (true)
        {
            var key = await _ready.Reader.ReadAsync(cancel);
            lock (_gate)
            {
                if (_queued.Remove(key))
                {
                    _processing.Add(key);
                    return key;
                }
            }
        }
    }

    public void Done(string key)
    {
        bool again;
        lock (_gate)
        {
            _processing.Remove(key);
            again = _dirty.Remove(key);
        }

        if (again)
        {
            Add(key);
        }
    }

    public void Dispose()
    {
        _stop.Cancel();
        _stop.Dispose();
        _ready.Writer.TryComplete();
    }
}
