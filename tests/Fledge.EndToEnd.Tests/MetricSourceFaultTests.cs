namespace Fledge.EndToEnd.Tests;

/// <summary>
/// The fault matrix, metric sources: one rollout's Prometheus hangs, another's is closed; a third rollout's bad
/// canary is aborted as fast as ever meanwhile, while the hanging measurement is still pending; the hanging one ends
/// in an Error measurement at its timeout and the closed one at once, and neither is ever promoted.
/// </summary>
public sealed class MetricSourceFaultTests
{
    [Fact(Timeout = 300_000)]
    public async Task HangingAndClosedPrometheus_DelayNoOtherRollout_AndNeverPromote()
    {
        using var hanging = new HangingServer();
        var closed = $"http://127.0.0.1:{RuntimeProcess.FreePort()}";
        await using var runtime = await RuntimeProcess.StartAsync();
        var ports = Enumerable.Range(0, 6).Select(_ => RuntimeProcess.FreePort()).ToArray();
        runtime.Apply(string.Join("\n---\n",
            PrometheusTemplate, CanaryManifests.ErrorRateTemplate(),
            Prometheus("slow", "v1", hanging.Address), FaultMatrix.Services("slow", ports[0], ports[1]),
            Prometheus("gone", "v1", closed), FaultMatrix.Services("gone", ports[2], ports[3]),
            ErrorRate("bad", "v1"), FaultMatrix.Services("bad", ports[4], ports[5])));
        foreach (var name in new[] { "slow", "gone", "bad" })
        {
            runtime.WaitForRollout(name);
        }

        await using var load = new ServiceLoad(ports[4], workers: 2, pause: TimeSpan.FromMilliseconds(5));

        // Given a rollout whose Prometheus hangs, measuring
        runtime.Apply(Prometheus("slow", "v2", hanging.Address));
        await RestartTests.WaitUntilAsync(() => hanging.Connections > 0, 60);

        // When another rollout's canary fails 30% of its requests, and a third one's Prometheus is closed
        var started = DateTime.UtcNow;
        runtime.Apply(ErrorRate("bad", "v2", failRate: "0.3"));
        runtime.Apply(Prometheus("gone", "v2", closed));

        // Then the bad canary is aborted while the hanging measurement is still pending
        await RestartTests.WaitUntilAsync(() => Phase(runtime, "bad") == "Degraded", 60);
        var aborted = DateTime.UtcNow - started;
        var slow = runtime.Fledge("describe", "rollout", "slow").Output;
        slow.ShouldContain("0/2 measured", customMessage: "the hanging measurement is still pending when the bad canary is aborted");
        Phase(runtime, "slow").ShouldNotBe("Degraded");
        runtime.Fledge("describe", "rollout", "bad").Output.ShouldContain("metric \"error-rate\" assessed Failed");

        // And the closed Prometheus is an Error at once, the hanging one at its timeout: neither promotes
        await RestartTests.WaitUntilAsync(() => Phase(runtime, "gone") == "Degraded", 60);
        runtime.Fledge("describe", "rollout", "gone").Output.ShouldContain("cannot reach Prometheus");
        await RestartTests.WaitUntilAsync(() => Phase(runtime, "slow") == "Degraded", 90);
        var timedOut = DateTime.UtcNow - started;
        var slowDescribed = runtime.Fledge("describe", "rollout", "slow").Output;
        slowDescribed.ShouldMatch(@"Prometheus at http://127\.0\.0\.1:[0-9]+ did not answer within [0-9]+s");
        runtime.Fledge("get", "rollouts").ExitCode.ShouldBe(0);
        TestContext.Current.SendDiagnosticMessage(
            $"bad canary aborted {aborted.TotalSeconds:0.0}s after it started, with another rollout's Prometheus hanging (that one timed out after {timedOut.TotalSeconds:0.0}s)");
    }

    private static string Phase(RuntimeProcess runtime, string name) =>
        runtime.Fledge("get", "rollout", name, "-o", "jsonpath={.status.phase}").Output.Trim();

    private static string Prometheus(string name, string version, string address) => FaultMatrix.Canary(name, version,
    [
        "- setWeight: 50",
        $"- analysis: {{templates: [{{templateName: prom}}], args: [{{name: address, value: \"{address}\"}}]}}",
    ]);

    private static string ErrorRate(string name, string version, string? failRate = null) => FaultMatrix.Canary(name, version,
    [
        "- setWeight: 25",
        $"- analysis: {{templates: [{{templateName: error-rate}}], args: [{{name: service, value: {name}-canary}}]}}",
    ], failRate);

    private const string PrometheusTemplate = """
        apiVersion: fledge.io/v1alpha1
        kind: AnalysisTemplate
        metadata:
          name: prom
        spec:
          args:
          - name: address
          metrics:
          - name: up
            interval: 20s
            count: 2
            consecutiveErrorLimit: 0
            successCondition: result[0] >= 1
            provider:
              prometheus:
                address: "{{args.address}}"
                query: up
        """;

}
