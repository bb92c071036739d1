using System.Collections.Concurrent;

namespace Fledge.EndToEnd.Tests;

/// <summary>
/// Concurrent clients sending GET / to a Service until stopped; every answer is kept with its time, status and
/// body (status 0 when the request failed without one).
/// </summary>
internal sealed class ServiceLoad : IAsyncDisposable
{
    private readonly HttpClient _http = new() { Timeout = TimeSpan.FromSeconds(30) };
    private readonly CancellationTokenSource _stop = new();
    private readonly List<Task> _workers;

    public ServiceLoad(int port, int workers, TimeSpan pause = default) =>
        _workers = Enumerable.Range(0, workers).Select(_ => Task.Run(() => RunAsync(new Uri($"http://127.0.0.1:{port}/"), pause))).ToList();

    public ConcurrentQueue<(DateTime At, int Status, string Body)> Results { get; } = new();

    /// <summary>Stops the clients and waits for them; the results stay.</summary>
    public async Task StopAsync()
    {
        await _stop.CancelAsync();
        await Task.WhenAll(_workers);
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
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
                Results.Enqueue((DateTime.UtcNow, (int)response.StatusCode, await response.Content.ReadAsStringAsync(_stop.Token)));
            }
            catch (OperationCanceledException) when (_stop.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e) when (e is HttpRequestException or OperationCanceledException)
            {
                Results.Enqueue((DateTime.UtcNow, 0, e.Message));
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
