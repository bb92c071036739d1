namespace Fledge.EndToEnd.Tests;

/// <summary>
/// Argo's workloadRef on the real runtime: a Rollout runs the template of a Deployment it names. Of another name, the
/// Deployment keeps running until scaleDown says (progressively: down as the Rollout's replicas become available), and a
/// change of the Deployment's template is a new revision of the Rollout. Of the same name (Argo's migration), the Rollout
/// takes the Deployment's place and adopts its replicas: no process is replaced.
/// </summary>
public sealed class WorkloadRefTests
{
    private static string Deployment(string name, string version, int replicas) => Manifests.Hello(version, replicas: replicas, name: name)
        .Replace("apiVersion: fledge.io/v1alpha1\nkind: Rollout", "apiVersion: apps/v1\nkind: Deployment", StringComparison.Ordinal);

    private static string Rollout(string name, string deployment, string scaleDown) => $$"""
        apiVersion: argoproj.io/v1alpha1
        kind: Rollout
        metadata:
          name: {{name}}
        spec:
          replicas: 2
          workloadRef: {apiVersion: apps/v1, kind: Deployment, name: {{deployment}}, scaleDown: {{scaleDown}}}
          strategy:
            canary:
              steps:
              - setWeight: 50
              - pause: {duration: 2s}
        """;

    [Fact(Timeout = 300_000)]
    public async Task WorkloadRef_OtherName_RunsTheDeploymentsTemplate_ScalesItDownProgressively_AndFollowsItsChanges()
    {
        await using var runtime = await RuntimeProcess.StartAsync();
        runtime.Apply(Deployment("legacy", "v1", 2));
        runtime.WaitForRollout("legacy");

        runtime.Apply(Rollout("web", "legacy", "progressively"));
        runtime.WaitForRollout("web");
        await RestartTests.WaitUntilAsync(() => runtime.Fledge("get", "rollout", "legacy", "-o", "json").Output.Contains("\"replicas\": 0", StringComparison.Ordinal), 60);
        runtime.Fledge("get", "pods").Output.ShouldContain("web-");
        await RestartTests.WaitUntilAsync(() => !runtime.Fledge("get", "pods").Output.Contains("legacy-", StringComparison.Ordinal), 30);
        runtime.Fledge("get", "events").Output.ShouldContain("Scaled down Deployment legacy");

        // The Deployment's new template is the Rollout's next revision, through its canary steps
        runtime.Apply(Deployment("legacy", "v2", 0));
        runtime.WaitForRollout("web");
        runtime.Fledge("rollout", "history", "web").Output.ShouldContain("fledge/hello:v2");
    }

    [Fact(Timeout = 300_000)]
    public async Task WorkloadRef_SameName_TakesTheDeploymentsPlace_WithoutReplacingAProcess()
    {
        await using var runtime = await RuntimeProcess.StartAsync();
        runtime.Apply(Deployment("hello", "v1", 2));
        runtime.WaitForRollout("hello");
        var before = RuntimeProcess.ReplicaProcesses(runtime.DataDirectory).Order().ToList();
        before.Count.ShouldBe(2);

        runtime.Apply(Rollout("hello", "hello", "onsuccess"));
        runtime.WaitForRollout("hello");

        var json = runtime.Fledge("get", "rollout", "hello", "-o", "json").Output;
        json.ShouldContain("\"kind\": \"Rollout\"");
        json.ShouldContain("\"workloadRef\"");
        RuntimeProcess.ReplicaProcesses(runtime.DataDirectory).Order().ToList().ShouldBe(before, "the Rollout adopted the Deployment's replicas");
    }

    [Fact(Timeout = 120_000)]
    public async Task WorkloadRef_MissingDeployment_IsRefusedWithWhereToPutIt()
    {
        await using var runtime = await RuntimeProcess.StartAsync();
        var file = Path.Combine(runtime.DataDirectory, "rollout.yaml");
        await File.WriteAllTextAsync(file, Rollout("web", "nowhere", "never"), TestContext.Current.CancellationToken);

        var apply = runtime.Fledge("apply", "-f", file);

        apply.ExitCode.ShouldBe(2);
        apply.Error.ShouldContain("spec.workloadRef.name: Invalid value: \"nowhere\": Deployment \"nowhere\" not found: apply it before the Rollout or in the same file");
        runtime.Fledge("get", "rollouts").Output.ShouldNotContain("web");
    }
}
