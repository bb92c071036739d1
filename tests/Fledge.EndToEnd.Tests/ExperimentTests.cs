namespace Fledge.EndToEnd.Tests;

/// <summary>
/// Argo's experiment step on the real runtime: a baseline (the stable template) and a canary run side by side as
/// processes behind a Service of their own, the judge compares them over the same seconds, a slower canary is
/// rolled back by itself, one that answers as fast goes on to its traffic steps and is promoted, and the
/// experiment's replicas go when the step ends.
/// </summary>
public sealed class ExperimentTests
{
    private const string Template = """
        apiVersion: argoproj.io/v1alpha1
        kind: AnalysisTemplate
        metadata:
          name: latency-vs-baseline
        spec:
          metrics:
          - name: latency-vs-baseline
            initialDelay: 8s
            interval: 3s
            count: 2
            successCondition: result[0] == 0
            failureCondition: result[0] == 1
            provider:
              judge:
                service: hello-experiment
                metric: request_latency_p50:8s
                alpha: "0.01"
                minSamples: "5"
                allowedIncrease: "2"
        """;

    private static string Rollout(string version, string? latencyMs = null) => CanaryManifests.Rollout(version,
    [
        "- experiment:",
        "    duration: 20s",
        "    templates:",
        "    - {name: baseline, specRef: stable, selector: {matchLabels: {app: hello-experiment}}, metadata: {labels: {app: hello-experiment}}}",
        "    - {name: canary, specRef: canary, selector: {matchLabels: {app: hello-experiment}}, metadata: {labels: {app: hello-experiment}}}",
        "    analyses:",
        "    - {name: latency, templateName: latency-vs-baseline}",
        "- setWeight: 50",
    ], latencyMs: latencyMs);

    [Fact(Timeout = 300_000)]
    public async Task Experiment_SlowerCanaryThanItsBaseline_IsRolledBack_AsFastOne_IsPromoted_AndTheExperimentGoes()
    {
        await using var runtime = await RuntimeProcess.StartAsync();
        var (stablePort, canaryPort, experimentPort) = (RuntimeProcess.FreePort(), RuntimeProcess.FreePort(), RuntimeProcess.FreePort());
        runtime.Apply(string.Join("\n---\n", Template, Rollout("v1"), Manifests.Service(stablePort), Manifests.Service(canaryPort, name: "hello-canary"),
            Manifests.Service(experimentPort, name: "hello-experiment", app: "hello-experiment")));
        runtime.WaitForRollout("hello");
        await using var users = new ServiceLoad(stablePort, workers: 2, pause: TimeSpan.FromMilliseconds(10));
        await using var experiment = new ServiceLoad(experimentPort, workers: 4, pause: TimeSpan.FromMilliseconds(5));

        runtime.Apply(Rollout("v2", latencyMs: "25"));
        await RestartTests.WaitUntilAsync(() => runtime.Fledge("get", "pods").Output.Contains("-canary-", StringComparison.Ordinal), 60);
        var pods = runtime.Fledge("get", "pods").Output;
        pods.ShouldContain("-baseline-", customMessage: "the baseline runs beside the canary");
        await RestartTests.WaitUntilAsync(() => runtime.Fledge("get", "rollouts", "-o", "wide").Output.Contains("Degraded", StringComparison.Ordinal), 90);
        var describe = runtime.Fledge("describe", "rollout", "hello").Output;
        describe.ShouldContain("failed: metric \"latency-vs-baseline\" assessed Failed");
        describe.ShouldContain("canary is significantly worse than stable");
        var bodies = experiment.Results.Where(r => r.Status == 200).Select(r => r.Body).ToList();
        bodies.ShouldContain(b => b.StartsWith("Hello", StringComparison.Ordinal), "the baseline (v1) answered the experiment's Service");
        bodies.ShouldContain(b => b.StartsWith("Howdy", StringComparison.Ordinal), "the canary (v2) answered the experiment's Service");

        runtime.Apply(Rollout("v2"));
        runtime.WaitForRollout("hello", "2m");
        var events = runtime.Fledge("get", "events").Output;
        events.ShouldContain("ExperimentSuccessful");
        await RestartTests.WaitUntilAsync(() => !runtime.Fledge("get", "pods").Output.Contains("-baseline-", StringComparison.Ordinal), 30);
        runtime.Fledge("get", "replicasets").Output.ShouldNotContain("-canary-", customMessage: "the experiment's replica sets are deleted");
        await users.StopAsync();
        users.Results.ShouldAllBe(r => r.Status == 200, "users of the stable Service never saw a failure");
    }
}
