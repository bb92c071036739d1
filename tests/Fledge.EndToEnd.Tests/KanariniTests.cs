using System.Globalization;
using System.Text.Json;

namespace Fledge.EndToEnd.Tests;

/// <summary>
/// Kanarini's CanaryDeployment example on the real runtime (1 canary, 3 stable, target 0.1 on the canary
/// Service's failure rate), under continuous load through a Service of both tracks: a good image reaches the
/// stable track, a bad one is checked, fails, and the canary track goes back while the stable track never runs it.
/// </summary>
public sealed class KanariniTests
{
    /// <summary>The sample as Kanarini writes it, with a shorter check delay and the ports of this test.</summary>
    private static string CanaryDeployment(string version, string? failRate = null)
    {
        var text = File.ReadAllText(Fledge.Tests.SampleFiles.PathOf("kanarini/hello-canarydeployment.yaml"))
            .Replace("metricsCheckDelaySeconds: 20", "metricsCheckDelaySeconds: 3", StringComparison.Ordinal)
            .Replace("image: fledge/hello:v1", $"image: fledge/hello:{version}", StringComparison.Ordinal);
        return failRate is null ? text : text.Replace(
            "        readinessProbe:",
            $"        env:\n        - name: HELLO_FAIL_RATE\n          value: \"{failRate}\"\n        readinessProbe:",
            StringComparison.Ordinal);
    }

    private static string Services(int stablePort, int canaryPort) =>
        File.ReadAllText(Fledge.Tests.SampleFiles.PathOf("kanarini/hello-services.yaml"))
            .Replace("port: 8080", string.Create(CultureInfo.InvariantCulture, $"port: {stablePort}"), StringComparison.Ordinal)
            .Replace("port: 8081", string.Create(CultureInfo.InvariantCulture, $"port: {canaryPort}"), StringComparison.Ordinal);

    /// <summary>The CanaryDeployment as the control API summarises it (phase and tracks), as `get canarydeployments -o wide` shows it.</summary>
    private static JsonElement Get(RuntimeProcess runtime) =>
        JsonSerializer.SerializeToElement(runtime.Api<Fledge.Local.Api.CanaryDeploymentDetail>("v1/canarydeployments/hello").CanaryDeployment, Fledge.Local.Api.ApiJson.Options);

    private static string Phase(JsonElement cd) => cd.GetProperty("phase").GetString()!;

    private static string? TrackImage(JsonElement cd, string track) => cd.GetProperty(track).GetProperty("image").GetString();

    [Fact(Timeout = 240_000)]
    public async Task CanaryDeployment_GoodImageReachesStable_BadImageIsRolledBackWithoutTouchingStable()
    {
        await using var runtime = await RuntimeProcess.StartAsync();
        var (stablePort, canaryPort) = (RuntimeProcess.FreePort(), RuntimeProcess.FreePort());
        runtime.Apply(Services(stablePort, canaryPort) + "\n---\n" + CanaryDeployment("v1"));
        await using var load = new ServiceLoad(stablePort, workers: 4, pause: TimeSpan.FromMilliseconds(5));
        var status = runtime.Fledge("rollout", "status", "canarydeployment/hello", "--timeout", "90s");
        status.ExitCode.ShouldBe(0, status.Error);
        status.Output.ShouldContain("canarydeployment \"hello\" successfully rolled out: fledge/hello:v1 on both tracks");
        var v1 = Get(runtime);
        TrackImage(v1, "canary").ShouldBe("fledge/hello:v1");
        TrackImage(v1, "stable").ShouldBe("fledge/hello:v1");

        // A good v2: canary first, checked after the delay, then the stable track; no request fails.
        var goodStart = DateTime.UtcNow;
        runtime.Apply(CanaryDeployment("v2"));
        var stableBeforeCheck = new List<string?>();
        await RestartTests.WaitUntilAsync(() =>
        {
            var cd = Get(runtime);
            if (cd.GetProperty("latestSuccessful").GetString()?.StartsWith("fledge/hello:v2", StringComparison.Ordinal) != true)
            {
                stableBeforeCheck.Add(TrackImage(cd, "stable"));
            }

            return Phase(cd) == "Ready" && TrackImage(cd, "stable") == "fledge/hello:v2";
        }, 90);
        stableBeforeCheck.ShouldNotBeEmpty();
        stableBeforeCheck.ShouldAllBe(image => image == "fledge/hello:v1", "the stable track gets v2 only after its check succeeded");
        var good = load.Results.Where(r => r.At >= goodStart).ToList();
        good.ShouldAllBe(r => r.Status == 200);
        good.ShouldContain(r => r.Body == "Howdy World!\n");
        var scale = runtime.Fledge("scale", "deployment/hello-stable", "--replicas", "5");
        scale.ExitCode.ShouldNotBe(0);
        scale.Error.ShouldContain("deployment \"hello-stable\" is a track of CanaryDeployment \"hello\"; change the CanaryDeployment instead");
        var promoted = Get(runtime);
        promoted.GetProperty("latestMetrics")[0].GetProperty("value").GetDouble().ShouldBeLessThan(0.1);

        // A bad v3 (30% of its requests fail): the check fails, the canary track goes back to v2, stable never runs v3.
        var badStart = DateTime.UtcNow;
        runtime.Apply(CanaryDeployment("v3", failRate: "0.3"));
        var stableImages = new List<string?>();
        await RestartTests.WaitUntilAsync(() =>
        {
            var cd = Get(runtime);
            stableImages.Add(TrackImage(cd, "stable"));
            return Phase(cd) == "Failed" && TrackImage(cd, "canary") == "fledge/hello:v2" && cd.GetProperty("canary").GetProperty("rolledOut").GetBoolean();
        }, 90);
        var rolledBack = DateTime.UtcNow - badStart;
        stableImages.ShouldAllBe(image => image == "fledge/hello:v2");
        var failed = Get(runtime);
        failed.GetProperty("message").GetString().ShouldBe("Finished rolling back to the latest stable spec");
        failed.GetProperty("latestFailed").GetString()!.ShouldStartWith("fledge/hello:v3");
        failed.GetProperty("latestMetrics")[0].GetProperty("value").GetDouble().ShouldBeGreaterThanOrEqualTo(0.1);
        var failedStatus = runtime.Fledge("rollout", "status", "cd/hello");
        failedStatus.ExitCode.ShouldBe(1);
        failedStatus.Error.ShouldContain("canarydeployment \"hello\" failed its metrics check: Finished rolling back to the latest stable spec (Service/hello-canary request_failure_rate:1m = ");
        var describe = runtime.Fledge("describe", "canarydeployment", "hello").Output;
        describe.ShouldContain("MetricsCheckUnsuccessful");
        describe.ShouldContain("DoneFailure");
        await load.StopAsync();

        var during = load.Results.Where(r => r.At >= badStart && r.At <= badStart + rolledBack).ToList();
        var failedShare = during.Count(r => r.Status != 200) / (double)during.Count;
        failedShare.ShouldBeLessThan(0.25, "1 canary replica of 4 takes a quarter of the traffic, and only 30% of that fails");
        load.Results.Where(r => r.At > badStart + rolledBack + TimeSpan.FromSeconds(1)).ShouldAllBe(r => r.Status == 200);
        TestContext.Current.SendDiagnosticMessage(
            $"kanarini bad canary: {during.Count} requests, {failedShare:P2} failed, canary track back on v2 after {rolledBack.TotalSeconds:0.0}s");
    }

    [Fact(Timeout = 240_000)]
    public async Task CanaryDeployment_MetricsFromAKubernetesMetricsApi_ExternalAtTargetRollsBack_ApiGoneNeverPasses()
    {
        await using var api = await MetricsApiServer.StartAsync();
        api.SetObject("default", "services", "hello-canary", "request_failure_rate:1m", "20m");
        api.AddExternal("default", "queue_depth", new() { ["queue"] = "orders" }, "3");
        api.AddExternal("default", "queue_depth", new() { ["queue"] = "payments" }, "400");
        await using var runtime = await RuntimeProcess.StartAsync(serveArguments: ["--metrics-api", api.Address.ToString()]);
        var external = """
                  - type: External
                    external:
                      metric:
                        name: queue_depth
                        selector:
                          matchLabels: {queue: orders}
                      target:
                        type: Value
                        value: 10

            """;
        string WithExternal(string manifest) => manifest.Replace("    stable:\n", external + "    stable:\n", StringComparison.Ordinal);
        runtime.Apply(Services(RuntimeProcess.FreePort(), RuntimeProcess.FreePort()) + "\n---\n" + WithExternal(CanaryDeployment("v1")));
        await RestartTests.WaitUntilAsync(() => Phase(Get(runtime)) == "Ready", 90);
        var requests = api.Requests.Select(r => r.PathAndQuery).ToList();
        requests.ShouldContain("/apis/custom.metrics.k8s.io/v1beta2/namespaces/default/services/hello-canary/request_failure_rate:1m");
        requests.ShouldContain("/apis/external.metrics.k8s.io/v1beta1/namespaces/default/queue_depth?labelSelector=queue%3Dorders");
        var metrics = Get(runtime).GetProperty("latestMetrics");
        metrics[0].GetProperty("value").GetDouble().ShouldBe(0.02);
        metrics[1].GetProperty("value").GetDouble().ShouldBe(3);

        // The orders queue backs up while v2 is the canary: at the target, v2 fails and the canary track goes back to v1
        api.AddExternal("default", "queue_depth", new() { ["queue"] = "orders" }, "10");
        runtime.Apply(WithExternal(CanaryDeployment("v2")));
        await RestartTests.WaitUntilAsync(() => Phase(Get(runtime)) == "Failed" && TrackImage(Get(runtime), "canary") == "fledge/hello:v1", 90);
        TrackImage(Get(runtime), "stable").ShouldBe("fledge/hello:v1");
        Get(runtime).GetProperty("latestMetrics")[1].GetProperty("value").GetDouble().ShouldBe(10);

        // With the metrics API gone, v3 is never checked: it waits on the canary track with warnings, stable keeps v1
        await api.DisposeAsync();
        runtime.Apply(WithExternal(CanaryDeployment("v3")));
        await RestartTests.WaitUntilAsync(() => runtime.Fledge("describe", "canarydeployment", "hello").Output.Contains("FailedGetObjectMetric", StringComparison.Ordinal), 90);
        await Task.Delay(TimeSpan.FromSeconds(6), TestContext.Current.CancellationToken);
        var waiting = Get(runtime);
        Phase(waiting).ShouldBe("Checking");
        TrackImage(waiting, "stable").ShouldBe("fledge/hello:v1");
        waiting.GetProperty("latestFailed").GetString()!.ShouldStartWith("fledge/hello:v2");
        runtime.Fledge("describe", "canarydeployment", "hello").Output.ShouldContain("cannot reach the metrics API");
    }
}
