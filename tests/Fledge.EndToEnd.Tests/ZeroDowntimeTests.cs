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
        await using var load = new ServiceLoad(port, Workers);
        var results = load.Results;

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

        await load.StopAsync();

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
