using System.Collections.Concurrent;
using System.Globalization;

namespace Fledge.EndToEnd.Tests;

/// <summary>Canary analysis on the real runtime with the built-in request metrics: a bad version rolls back by itself, a good one is promoted.</summary>
public sealed class AnalysisTests
{
    private const string Template = """
        apiVersion: fledge.io/v1alpha1
        kind: AnalysisTemplate
        metadata:
          name: error-rate
        spec:
          args:
          - name: service
          metrics:
          - name: error-rate
            interval: 2s
            count: 3
            initialDelay: 2s
            successCondition: result < 0.05
            failureCondition: result >= 0.1
            provider:
              fledge:
                service: "{{args.service}}"
                metric: request_failure_rate:10s
        """;

    private static string Canary(string version, string? failRate = null) => string.Create(CultureInfo.InvariantCulture, $"""
        apiVersion: fledge.io/v1alpha1
        kind: Rollout
        metadata:
          name: hello
        spec:
          replicas: 2
          selector:
            matchLabels: {"{"}app: hello{"}"}
          strategy:
            canary:
              canaryService: hello-canary
              stableService: hello
              trafficRouting: {"{}"}
              abortScaleDownDelaySeconds: 2
              scaleDownDelaySeconds: 2
              steps:
              - setWeight: 25
              - analysis:
                  templates: [{"{"}templateName: error-rate{"}"}]
                  args: [{"{"}name: service, value: hello-canary{"}"}]
              - setWeight: 50
              - pause: {"{"}duration: 2s{"}"}
          template:
            metadata:
              labels: {"{"}app: hello{"}"}
            spec:
              terminationGracePeriodSeconds: 10
              containers:
              - name: hello
                image: fledge/hello:{version}
        {(failRate is null ? "" : $"        env:\n        - name: HELLO_FAIL_RATE\n          value: \"{failRate}\"\n")}        readinessProbe:
                  httpGet: {"{"}path: /ready, port: 8080{"}"}
                  periodSeconds: 1
        """);

    [Fact(Timeout = 240_000)]
    public async Task Canary_FailingThirtyPercent_IsRolledBackByItself_ThenAGoodVersionIsPromoted()
    {
        await using var runtime = await RuntimeProcess.StartAsync();
        var (stablePort, canaryPort) = (RuntimeProcess.FreePort(), RuntimeProcess.FreePort());
        runtime.Apply(Template + "\n---\n" + Canary("v1") + "\n---\n" + Manifests.Service(stablePort) + "\n---\n" + Manifests.Service(canaryPort, name: "hello-canary"));
        runtime.WaitForRollout("hello");

        var results = new ConcurrentQueue<(DateTime At, int Status, string Body)>();
        using var stop = new CancellationTokenSource();
        using var http = new HttpClient();
        var load = Enumerable.Range(0, 4).Select(_ => Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                using var response = await http.GetAsync(new Uri($"http://127.0.0.1:{stablePort}/"));
                results.Enqueue((DateTime.UtcNow, (int)response.StatusCode, await response.Content.ReadAsStringAsync()));
                await Task.Delay(5);
            }
        })).ToList();

        // A v2 that fails 30% of its requests is caught by the analysis and rolled back without anyone
        var started = DateTime.UtcNow;
        runtime.Apply(Canary("v2", failRate: "0.3"));
        await RestartTests.WaitUntilAsync(() => runtime.Fledge("get", "rollouts", "-o", "wide").Output.Contains("Degraded", StringComparison.Ordinal), 60);
        var detected = DateTime.UtcNow - started;
        await RestartTests.WaitUntilAsync(() => !runtime.Fledge("get", "pods", "-o", "json").Output.Contains("fledge/hello:v2", StringComparison.Ordinal), 30);
        var rolledBack = DateTime.UtcNow - started;
        var describe = runtime.Fledge("describe", "rollout", "hello").Output;
        describe.ShouldContain("metric \"error-rate\" assessed Failed");
        var during = results.Where(r => r.At >= started).ToList();
        var failedShare = during.Count(r => r.Status != 200) / (double)during.Count;
        failedShare.ShouldBeLessThan(0.25, $"the failed share of all requests stays below the canary weight; {during.Count} requests, detected after {detected.TotalSeconds:0.0}s, rolled back after {rolledBack.TotalSeconds:0.0}s");
        TestContext.Current.SendDiagnosticMessage($"bad canary: {during.Count} requests, {failedShare:P2} failed, detected after {detected.TotalSeconds:0.0}s, fully rolled back after {rolledBack.TotalSeconds:0.0}s");

        // A good v2 passes the analysis and is promoted with no failed request
        var goodStart = DateTime.UtcNow;
        runtime.Apply(Canary("v2"));
        runtime.WaitForRollout("hello", "2m");
        await stop.CancelAsync();
        await Task.WhenAll(load);
        var good = results.Where(r => r.At >= goodStart).ToList();
        good.ShouldAllBe(r => r.Status == 200);
        good.ShouldContain(r => r.Body == "Howdy World!\n");
        runtime.Fledge("get", "rollouts", "-o", "wide").Output.ShouldContain("Healthy");
    }
}
