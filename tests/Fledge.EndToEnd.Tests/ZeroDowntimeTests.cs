using System.Collections.Concurrent;
using System.Diagnostics;

namespace Fledge.EndToEnd.Tests;

/// <summary>Real processes, real HTTP through the real proxy: a rollout and a scale-down drop no request.</summary>
public sealed class ZeroDowntimeTests
{
    private const int Workers = 8;
    private const int MinimumRequests = 5000;

    [Fact(Timeout = 240_000)]
    public async Task RollingUpdateAndScaleDown_UnderContinuousLoad_EveryRequestSucceeds()
    {
        // Given a runtime serving hello v1 behind a Service
        await using var runtime = await RuntimeProcess.StartAsync();
        var port = RuntimeProcess.FreePort();
        runtime.Apply(Manifests.Hello("v1") + "\n---\n" + Manifests.Service(port));
        runtime.WaitForRollout("hello");

        // When v2 rolls out (maxUnavailable 0) and then the rollout scales down, while clients send requests all along
        var results = new ConcurrentBag<(int Status, string Body)>();
        using var stop = new CancellationTokenSource();
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(30) };
        var load = Enumerable.Range(0, Workers).Select(_ => Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                try
                {
                    using var response = await http.GetAsync(new Uri($"http://127.0.0.1:{port}/"));
                    results.Add(((int)response.StatusCode, await response.Content.ReadAsStringAsync()));
                }
                catch (HttpRequestException e)
                {
                    results.Add((0, e.Message));
                }
            }
        })).ToList();

        runtime.Apply(Manifests.Hello("v2"));
        runtime.WaitForRollout("hello");
        var duringRollout = results.Count;
        var (scaleCode, _, scaleError) = runtime.Fledge("scale", "rollout/hello", "--replicas", "2");
        scaleCode.ShouldBe(0, scaleError);
        runtime.WaitForRollout("hello");
        var clock = Stopwatch.StartNew();
        while (results.Count < MinimumRequests && clock.Elapsed < TimeSpan.FromMinutes(2))
        {
            await Task.Delay(100, TestContext.Current.CancellationToken);
        }

        await stop.CancelAsync();
        await Task.WhenAll(load);

        // Then every request succeeded, and each came from v1 or v2
        results.Count.ShouldBeGreaterThanOrEqualTo(MinimumRequests);
        duringRollout.ShouldBeGreaterThan(0);
        var failures = results.Where(r => r.Status != 200).Take(5).ToList();
        failures.ShouldBeEmpty($"{results.Count(r => r.Status != 200)} of {results.Count} requests failed, e.g. {string.Join(" | ", failures)}");
        results.Select(r => r.Body).Distinct().Order().ShouldBe(["Hello World!\n", "Howdy World!\n"]);
        var (_, pods, _) = runtime.Fledge("get", "pods");
        pods.Split('\n', StringSplitOptions.RemoveEmptyEntries).Count(l => l.Contains("Running", StringComparison.Ordinal)).ShouldBe(2);
    }
}
