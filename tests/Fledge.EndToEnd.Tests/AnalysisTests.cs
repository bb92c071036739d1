namespace Fledge.EndToEnd.Tests;

/// <summary>Canary analysis on the real runtime with the built-in request metrics: a bad version rolls back by itself, a good one is promoted.</summary>
public sealed class AnalysisTests
{
    private static readonly string Template = CanaryManifests.ErrorRateTemplate();

    private static string Canary(string version, string? failRate = null) => CanaryManifests.Rollout(version,
    [
        "- setWeight: 25",
        "- analysis: {templates: [{templateName: error-rate}], args: [{name: service, value: hello-canary}]}",
        "- setWeight: 50",
        "- pause: {duration: 2s}",
    ], failRate);

    [Fact(Timeout = 240_000)]
    public async Task Canary_FailingThirtyPercent_IsRolledBackByItself_ThenAGoodVersionIsPromoted()
    {
        await using var runtime = await RuntimeProcess.StartAsync();
        var (stablePort, canaryPort) = (RuntimeProcess.FreePort(), RuntimeProcess.FreePort());
        runtime.Apply(Template + "\n---\n" + Canary("v1") + "\n---\n" + Manifests.Service(stablePort) + "\n---\n" + Manifests.Service(canaryPort, name: "hello-canary"));
        runtime.WaitForRollout("hello");

        await using var load = new ServiceLoad(stablePort, workers: 4, pause: TimeSpan.FromMilliseconds(5));
        var results = load.Results;

        // A v2 that fails 30% of its requests is caught by the analysis and rolled back without anyone
        var started = DateTime.UtcNow;
        runtime.Apply(Canary("v2", failRate: "0.3"));
        await RestartTests.WaitUntilAsync(() => runtime.Fledge("get", "rollouts", "-o", "wide").Output.Contains("Degraded", StringComparison.Ordinal), 60);
        var detected = DateTime.UtcNow - started;
        await RestartTests.WaitUntilAsync(() => !runtime.Fledge("get", "pods", "-o", "json").Output.Contains("fledge/hello:v2", StringComparison.Ordinal), 30);
        var rolledBack = DateTime.UtcNow - started;
        var describe = runtime.Fledge("describe", "rollout", "hello").Output;
        describe.ShouldContain("metric \"error-rate\" assessed Failed");
        System.Text.RegularExpressions.Regex.Replace(describe, @"\s+", " ")
            .ShouldMatch(@"all traffic is back on the stable revision, [0-9.]+s after the canary started");
        var during = results.Where(r => r.At >= started).ToList();
        var failedShare = during.Count(r => r.Status != 200) / (double)during.Count;
        failedShare.ShouldBeLessThan(0.25, $"the failed share of all requests stays below the canary weight; {during.Count} requests, detected after {detected.TotalSeconds:0.0}s, rolled back after {rolledBack.TotalSeconds:0.0}s");
        TestContext.Current.SendDiagnosticMessage($"bad canary: {during.Count} requests, {failedShare:P2} failed, detected after {detected.TotalSeconds:0.0}s, fully rolled back after {rolledBack.TotalSeconds:0.0}s");

        // A good v2 passes the analysis and is promoted with no failed request
        var goodStart = DateTime.UtcNow;
        runtime.Apply(Canary("v2"));
        var (code, followed, error) = runtime.Fledge("rollout", "status", "hello", "--timeout", "2m");
        code.ShouldBe(0, followed + error);
        await load.StopAsync();
        // rollout status says what it waits for: each measurement as it is taken, and when the next is due
        followed.ShouldMatch(@"analysis \(step 2\): error-rate 0/3 measured; (first measurement in [0-9]+s|measuring now)");
        followed.ShouldMatch(@"analysis \(step 2\): error-rate 1/3 measured, last [0-9.]+ Successful; next measurement in [0-9]+s");
        followed.ShouldContain("rollout \"hello\" successfully rolled out");
        var good = results.Where(r => r.At >= goodStart).ToList();
        good.ShouldAllBe(r => r.Status == 200);
        good.ShouldContain(r => r.Body == "Howdy World!\n");
        runtime.Fledge("get", "rollouts", "-o", "wide").Output.ShouldContain("Healthy");
    }
}
