namespace Fledge.Cli.Commands.Runtime;

/// <summary>Steady traffic for the demo: concurrent clients sending GET / until stopped, counting what came back.</summary>
internal sealed class LoadGenerator : IAsyncDisposable
{
    private readonly HttpClient _http = new() { Timeout = TimeSpan.FromSeconds(10) };
    private readonly CancellationTokenSource _stop = new();
    private readonly List<Task> _workers;
    private long _failed;
    private long _v1;
    private long _v2;

    public LoadGenerator(Uri target, int workers, TimeSpan pause)
    {
        _workers = Enumerable.Range(0, workers).Select(_ => Task.Run(() => RunAsync(target, pause))).ToList();
    }

    /// <summary>Requests answered so far (one in flight per worker is not counted yet).</summary>
    public LoadCounts Counts
    {
        get
        {
            var failed = Interlocked.Read(ref _failed);
            var v1 = Interlocked.Read(ref _v1);
            var v2 = Interlocked.Read(ref _v2);
            return new LoadCounts(failed + v1 + v2, failed, v1, v2);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await Task.WhenAll(_workers);
        _http.Dispose();
        _stop.Dispose();
    }

    private async Task RunAsync(Uri target, TimeSpan pause)
    {
        while (!_stop.IsCancellationRequested)
        {
            try
            {
                using var response = await _http.GetAsync(target, _stop.Token);
                var body = await response.Content.ReadAsStringAsync(_stop.Token);
                if (!response.IsSuccessStatusCode)
                {
                    Interlocked.Increment(ref _failed);
                }
                else if (body.StartsWith("Howdy", StringComparison.Ordinal))
                {
                    Interlocked.Increment(ref _v2);
                }
                else
                {
                    Interlocked.Increment(ref _v1);
                }
            }
            catch (OperationCanceledException) when (_stop.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e) when (e is HttpRequestException or OperationCanceledException)
            {
                Interlocked.Increment(ref _failed);
            }

            if (pause > TimeSpan.Zero)
            {
                try
                {
                    await Task.Delay(pause, _stop.Token);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
            }
        }
    }
}

/// <summary>Requests sent and how they ended: failed, answered by v1, answered by v2.</summary>
internal readonly record struct LoadCounts(long Sent, long Failed, long V1, long V2)
{
    public static LoadCounts operator -(LoadCounts a, LoadCounts b) => new(a.Sent - b.Sent, a.Failed - b.Failed, a.V1 - b.V1, a.V2 - b.V2);
}
