namespace Fledge.EndToEnd.Tests;

/// <summary>
/// The Mann-Whitney judge on the real runtime: no latency threshold is written anywhere, yet a canary that
/// answers 25 ms slower than stable is found significantly worse and rolled back, while the same version
/// without the delay passes and is promoted. allowedIncrease 2: a freshly started canary on a host busy with other
/// work answers a few milliseconds slower for its first seconds, which is significant but not what the judge is for.
/// </summary>
public sealed class JudgeTests
{
    private const string Template = """
        apiVersion: fledge.io/v1alpha1
        kind: AnalysisTemplate
        metadata:
          name: latency-vs-stable
        spec:
          metrics:
          - name: latency-vs-stable
            initialDelay: 12s
            interval: 3s
            count: 2
            successCondition: result[0] == 0
            failureCondition: result[0] == 1
            provider:
              judge:
                service: hello
                metric: request_latency_p50:10s
                alpha: "0.01"
                minSamples: "5"
                allowedIncrease: "2"
        """;

    private static string Canary(string version, string? latencyMs = null) => CanaryManifests.Rollout(version,
    [
        "- setWeight: 25",
        "- analysis: {templates: [{templateName: latency-vs-stable}]}",
    ], latencyMs: latencyMs);

    [Fact(Timeout = 240_000)]
    public async Task Judge_SlowerCanary_IsRolledBack_SameSpeedCanary_IsPromoted()
    {
        await using var runtime = await RuntimeProcess.StartAsync();
        var (stablePort, canaryPort) = (RuntimeProcess.FreePort(), RuntimeProcess.FreePort());
        runtime.Apply(Template + "\n---\n" + Canary("v1") + "\n---\n" + Manifests.Service(stablePort) + "\n---\n" + Manifests.Service(canaryPort, name: "hello-canary"));
        runtime.WaitForRollout("hello");
        await using var load = new ServiceLoad(stablePort, workers: 4, pause: TimeSpan.FromMilliseconds(5));

        runtime.Apply(Canary("v2", latencyMs: "25"));
        await RestartTests.WaitUntilAsync(() => runtime.Fledge("get", "rollouts", "-o", "wide").Output.Contains("Degraded", StringComparison.Ordinal), 90);
        var describe = runtime.Fledge("describe", "rollout", "hello").Output;
        describe.ShouldContain("metric \"latency-vs-stable\" assessed Failed");
        describe.ShouldContain("meets the failure condition \"result[0] == 1\": canary is significantly worse than stable");

        runtime.Apply(Canary("v2"));
        runtime.WaitForRollout("hello", "2m");
        await load.StopAsync();
        runtime.Fledge("get", "rollouts", "-o", "wide").Output.ShouldContain("Healthy");
        load.Results.ShouldAllBe(r => r.Status == 200);
    }
}
