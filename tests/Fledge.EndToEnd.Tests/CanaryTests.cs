namespace Fledge.EndToEnd.Tests;

/// <summary>A canary on the real runtime: the Service proxy splits requests by exact weight; abort sends them all back.</summary>
public sealed class CanaryTests
{
    private static string Canary(string version) => CanaryManifests.Rollout(version, ["- setWeight: 25", "- pause: {}"]);

    private static async Task<Dictionary<string, int>> CountAsync(int port, int requests)
    {
        using var http = new HttpClient();
        var counts = new Dictionary<string, int>();
        for (var i = 0; i < requests; i++)
        {
            var body = await http.GetStringAsync(new Uri($"http://127.0.0.1:{port}/"), TestContext.Current.CancellationToken);
            counts[body] = counts.GetValueOrDefault(body) + 1;
        }

        return counts;
    }

    [Fact(Timeout = 240_000)]
    public async Task Canary_AtTwentyFivePercent_GetsExactlyAQuarterOfRequestsUntilAborted()
    {
        // Given hello v1 stable behind a stable and a canary Service
        await using var runtime = await RuntimeProcess.StartAsync();
        var (stablePort, canaryPort) = (RuntimeProcess.FreePort(), RuntimeProcess.FreePort());
        runtime.Apply(Canary("v1") + "\n---\n" + Manifests.Service(stablePort) + "\n---\n" + Manifests.Service(canaryPort, name: "hello-canary"));
        runtime.WaitForRollout("hello");

        // When v2 starts as a canary at 25%
        runtime.Apply(Canary("v2"));
        await RestartTests.WaitUntilAsync(() => runtime.Fledge("get", "rollouts", "-o", "wide").Output.Contains("Paused", StringComparison.Ordinal));

        // Then exactly a quarter of the stable Service's requests reach the canary, spread evenly (every fourth, not
        // a run of 25 in each hundred), and the canary Service reaches only it
        (await CountAsync(stablePort, 8)).GetValueOrDefault("Howdy World!\n").ShouldBe(2, "2 of the first 8");
        var split = await CountAsync(stablePort, 400);
        split.GetValueOrDefault("Howdy World!\n").ShouldBe(100);
        split.GetValueOrDefault("Hello World!\n").ShouldBe(300);
        (await CountAsync(canaryPort, 20)).Keys.ShouldBe(["Howdy World!\n"]);

        // And when it is aborted, every request goes back to v1 at once and the canary goes away
        runtime.Fledge("rollout", "abort", "hello").Output.ShouldContain("aborted");
        await RestartTests.WaitUntilAsync(() => runtime.Fledge("get", "rollouts", "-o", "wide").Output.Contains("Degraded", StringComparison.Ordinal));
        (await CountAsync(stablePort, 100)).Keys.ShouldBe(["Hello World!\n"]);
        await RestartTests.WaitUntilAsync(() => !runtime.Fledge("get", "pods", "-o", "json").Output.Contains("fledge/hello:v2", StringComparison.Ordinal)
            && runtime.Fledge("get", "rs", "-o", "wide").Output.Split('\n').Count(l => l.Contains("hello:v2", StringComparison.Ordinal) && l.Contains(" 0 ", StringComparison.Ordinal)) == 1);
        var (code, _, error) = runtime.Fledge("rollout", "status", "hello", "--timeout", "5s");
        code.ShouldBe(1);
        error.ShouldContain("degraded");
    }
}
