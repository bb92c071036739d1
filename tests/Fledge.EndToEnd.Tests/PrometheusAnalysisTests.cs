using System.Globalization;

namespace Fledge.EndToEnd.Tests;

/// <summary>
/// Analysis through a real Prometheus server scraping the runtime's /metrics: a version failing 30% is rolled
/// back by itself, a good one is promoted, and with Prometheus gone the analysis ends in Error, never in a promotion.
/// </summary>
public sealed class PrometheusAnalysisTests
{
    private const string Template = """
        apiVersion: fledge.io/v1alpha1
        kind: AnalysisTemplate
        metadata:
          name: prom-errors
        spec:
          args:
          - name: address
          - name: revision
          metrics:
          - name: failure-rate
            initialDelay: 6s
            interval: 2s
            count: 3
            consecutiveErrorLimit: 2
            successCondition: result[0] < 0.05
            failureCondition: result[0] >= 0.1
            provider:
              prometheus:
                address: "{{args.address}}"
                query: '(sum(rate(fledge_service_requests_total{service="hello",revision="{{args.revision}}",code="5xx"}[10s])) or vector(0)) / sum(rate(fledge_service_requests_total{service="hello",revision="{{args.revision}}"}[10s]))'
        """;

    private static string Canary(string version, string prometheus, int revision, string? failRate = null) => CanaryManifests.Rollout(version,
    [
        "- setWeight: 25",
        string.Create(CultureInfo.InvariantCulture,
            $"- analysis: {{templates: [{{templateName: prom-errors}}], args: [{{name: address, value: \"{prometheus}\"}}, {{name: revision, value: \"{revision}\"}}]}}"),
    ], failRate);

    [Fact(Timeout = 240_000)]
    public async Task PrometheusAnalysis_FailingCanaryRollsBack_AndPrometheusGoneNeverPromotes()
    {
        await using var runtime = await RuntimeProcess.StartAsync();
        var metrics = new Uri(runtime.Output.Split('\n').Single(l => l.StartsWith("fledge serve:", StringComparison.Ordinal)).Split("metrics ")[1].Trim());
        await using var prometheus = await PrometheusServer.StartAsync($"127.0.0.1:{metrics.Port}");
        var (stablePort, canaryPort) = (RuntimeProcess.FreePort(), RuntimeProcess.FreePort());
        runtime.Apply(Template + "\n---\n" + Canary("v1", prometheus.Address, 1) + "\n---\n" + Manifests.Service(stablePort) + "\n---\n" + Manifests.Service(canaryPort, name: "hello-canary"));
        runtime.WaitForRollout("hello");

        await using var load = new ServiceLoad(stablePort, workers: 2, pause: TimeSpan.FromMilliseconds(5));

        // A v2 failing 30% is caught by the Prometheus query and rolled back
        var started = DateTime.UtcNow;
        runtime.Apply(Canary("v2", prometheus.Address, 2, failRate: "0.3"));
        await RestartTests.WaitUntilAsync(() => runtime.Fledge("get", "rollouts", "-o", "wide").Output.Contains("Degraded", StringComparison.Ordinal), 90);
        var detected = DateTime.UtcNow - started;
        await RestartTests.WaitUntilAsync(() => !runtime.Fledge("get", "pods", "-o", "json").Output.Contains("fledge/hello:v2", StringComparison.Ordinal), 30);
        var rolledBack = DateTime.UtcNow - started;
        var describe = runtime.Fledge("describe", "rollout", "hello").Output;
        describe.ShouldContain("metric \"failure-rate\" assessed Failed");
        var during = load.Results.Where(r => r.At >= started && r.At <= started + rolledBack).ToList();
        var failedShare = during.Count(r => r.Status != 200) / (double)during.Count;
        failedShare.ShouldBeLessThan(0.25, "the failed share of all requests stays below the canary weight");
        TestContext.Current.SendDiagnosticMessage(
            $"prometheus analysis, bad canary: {during.Count} requests, {failedShare:P2} failed, aborted {detected.TotalSeconds:0.0}s and fully rolled back {rolledBack.TotalSeconds:0.0}s after the canary started");

        // A good v2 passes the same Prometheus analysis and is promoted with no failed request
        var goodStart = DateTime.UtcNow;
        runtime.Apply(Canary("v2", prometheus.Address, 3));
        runtime.WaitForRollout("hello", "2m");
        runtime.Fledge("get", "rollouts", "-o", "wide").Output.ShouldContain("Healthy");
        var good = load.Results.Where(r => r.At >= goodStart).ToList();
        good.ShouldAllBe(r => r.Status == 200);
        good.ShouldContain(r => r.Body == "Howdy World!\n");

        // With Prometheus gone, a v3 cannot be judged: the analysis errors out and v3 is never promoted
        prometheus.Kill();
        runtime.Apply(Canary("v3", prometheus.Address, 4));
        await RestartTests.WaitUntilAsync(() => runtime.Fledge("describe", "rollout", "hello").Output.Contains("assessed Error", StringComparison.Ordinal), 90);
        await load.StopAsync();
        var (_, rollouts, _) = runtime.Fledge("get", "rollouts", "-o", "wide");
        rollouts.ShouldContain("Degraded");
        rollouts.ShouldNotContain("Healthy");
        runtime.Fledge("describe", "rollout", "hello").Output.ShouldContain("cannot reach Prometheus");
        using var http = new HttpClient();
        (await http.GetStringAsync(new Uri($"http://127.0.0.1:{stablePort}/"), TestContext.Current.CancellationToken)).ShouldBe("Howdy World!\n");
    }
}
