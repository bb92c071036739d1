namespace Fledge.Cli.Commands.Runtime;

/// <summary>Steady traffic for the demo: concurrent clients sending GET / until stopped, counting what came back.</summary>
internal sealed class LoadGenerator : IAsyncDisposable
{
    private readonly HttpClient _http = new() { Timeout = TimeSpan.FromSeconds(10) };
    private readonly CancellationTokenSource _stop = new();
    private readonly List<Task> _workers;
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, long> _versions = new(StringComparer.Ordinal);
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, long> _failedVersions = new(StringComparer.Ordinal);
    private long _failed;

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
            var versions = ByVersion;
            var answered = versions.Values.Sum();
            return new LoadCounts(failed + answered, failed, versions.GetValueOrDefault("v1"), answered - versions.GetValueOrDefault("v1"));
        }
    }

    /// <summary>Successful answers so far by the version that gave them (the X-Version header).</summary>
    public IReadOnlyDictionary<string, long> ByVersion => new Dictionary<string, long>(_versions, StringComparer.Ordinal);

    /// <summary>Error answers so far by the version that gave them (the X-Version header; not counted when none answered).</summary>
    public IReadOnlyDictionary<string, long> FailedByVersion => new Dictionary<string, long>(_failedVersions, StringComparer.Ordinal);

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
                    if (response.Headers.TryGetValues("X-Version", out var failedBy))
                    {
                        _failedVersions.AddOrUpdate(failedBy.First(), 1, static (_, n) => n + 1);
                    }
                }
                else
                {
                    var version = response.Headers.TryGetValues("X-Version", out var values) ? values.First()
                        : body.StartsWith("Howdy", StringComparison.Ordinal) ? "v2" : "v1";
                    _versions.AddOrUpdate(version, 1, static (_, n) => n + 1);
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

/// <summary>Requests sent and how they ended: failed, answered by v1, answered by a newer version.</summary>
internal readonly record struct LoadCounts(long Sent, long Failed, long V1, long V2)
{
    public static LoadCounts operator -(LoadCounts a, LoadCounts b) => new(a.Sent - b.Sent, a.Failed - b.Failed, a.V1 - b.V1, a.V2 - b.V2);
}
