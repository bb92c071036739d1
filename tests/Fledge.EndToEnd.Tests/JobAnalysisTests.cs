using Fledge.Tests;

namespace Fledge.EndToEnd.Tests;

/// <summary>
/// Argo's job provider on one host: Argo's own AnalysisTemplates (tests/conformance/argo/examples/analysis-templates.yaml,
/// unchanged) run their Job's container as a process, and the canary goes on when it exits 0 and is aborted when it fails.
/// </summary>
public sealed class JobAnalysisTests
{
    private const string FailingJob = """
        apiVersion: argoproj.io/v1alpha1
        kind: AnalysisTemplate
        metadata:
          name: fail
        spec:
          metrics:
          - name: fail
            provider:
              job:
                spec:
                  backoffLimit: 1
                  template:
                    spec:
                      restartPolicy: Never
                      containers:
                      - name: check
                        image: alpine:3.8
                        command: [sh, -c]
                        args: ["echo checking; exit 3"]
        """;

    [Fact(Timeout = 240_000)]
    public async Task JobAnalysis_PassingJobPromotes_FailingJobAborts()
    {
        await using var runtime = await RuntimeProcess.StartAsync();
        var port = RuntimeProcess.FreePort();
        runtime.Apply(File.ReadAllText(ConformanceFiles.PathOf(Path.Combine("argo", "examples", "analysis-templates.yaml"))) + "\n---\n" + FailingJob);
        runtime.Apply(CanaryManifests.Rollout("v1", ["- setWeight: 50"]) + "\n---\n" + Manifests.Service(port) + "\n---\n" + Manifests.Service(RuntimeProcess.FreePort(), name: "hello-canary"));
        runtime.WaitForRollout("hello");

        // Argo's "pass" template: its Job's container (sh -c "exit 0") runs and exits 0, so the canary is promoted
        runtime.Apply(CanaryManifests.Rollout("v2", ["- setWeight: 50", "- analysis: {templates: [{templateName: pass}]}"]));
        runtime.WaitForRollout("hello");
        runtime.Fledge("get", "rs", "-o", "wide").Output.Split('\n').ShouldContain(l => l.Contains("hello:v2", StringComparison.Ordinal) && l.Contains(" 2 ", StringComparison.Ordinal));

        // A Job that exits 3 (twice, with backoffLimit 1) fails the measurement, and the canary is aborted
        runtime.Apply(CanaryManifests.Rollout("v3", ["- setWeight: 50", "- analysis: {templates: [{templateName: fail}]}"]));
        await RestartTests.WaitUntilAsync(() => runtime.Fledge("get", "rollouts", "-o", "wide").Output.Contains("Degraded", StringComparison.Ordinal));
        var described = runtime.Fledge("describe", "rollout", "hello").Output;
        described.ShouldContain("the job failed");
        (await new HttpClient().GetStringAsync(new Uri($"http://127.0.0.1:{port}/"), TestContext.Current.CancellationToken)).ShouldBe("Howdy World!\n", "v2 stays stable");
    }
}
