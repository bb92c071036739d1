using Fledge.Tests;
using k8s;
using k8s.Models;

namespace Fledge.Kubernetes.Tests;

/// <summary>
/// Argo Rollouts' own example files (argoproj.io/v1alpha1), applied unchanged with kubectl: the operator reconciles
/// them with the same planner (ReplicaSets owned by the argoproj.io Rollout, Services switched by pod-template-hash),
/// a canary settles at Argo's counts, and the fledge verbs steer them.
/// </summary>
public sealed class ArgoRolloutTests
{
    [Fact(Timeout = 300_000)]
    public async Task ArgoBlueGreenExample_AppliedAsWritten_IsPromotedByTheOperator()
    {
        using var client = ControlPlane.Client();
        using var ns = ControlPlane.Namespace("argo-bluegreen");
        await using var kubelet = new TestKubelet(client, ns.Name);
        await using var fledge = await OperatorProcess.StartAsync(ns.Name);

        var (code, output, error) = ControlPlane.Kubectl("apply", "-n", ns.Name, "-f", Example("rollout-bluegreen.yaml"));
        code.ShouldBe(0, output + error);
        output.ShouldContain("rollout.argoproj.io/rollout-bluegreen created");
        await RollingUpdateTests.WaitForAsync(ns.Name, "rollouts.argoproj.io/rollout-bluegreen", s => s.Phase == "Healthy" && s.AvailableReplicas == 2, fledge);
        var blue = (await client.AppsV1.ListNamespacedReplicaSetAsync(ns.Name, cancellationToken: TestContext.Current.CancellationToken)).Items.ShouldHaveSingleItem();
        var owner = blue.Metadata.OwnerReferences.ShouldHaveSingleItem();
        (owner.ApiVersion, owner.Kind, owner.Name).ShouldBe(("argoproj.io/v1alpha1", "Rollout", "rollout-bluegreen"));
        await SelectsAsync(client, ns.Name, "rollout-bluegreen-active", blue, fledge);

        ClusterCliTests.Fledge(ns.Name, "set", "image", "rollout/rollout-bluegreen", "rollouts-demo=argoproj/rollouts-demo:green").Code.ShouldBe(0);
        await RollingUpdateTests.WaitForAsync(ns.Name, "rollouts.argoproj.io/rollout-bluegreen", s => s.Phase == "Paused", fledge);
        var green = (await client.AppsV1.ListNamespacedReplicaSetAsync(ns.Name, cancellationToken: TestContext.Current.CancellationToken)).Items
            .Single(rs => rs.Spec.Template.Spec.Containers[0].Image.EndsWith(":green", StringComparison.Ordinal));
        await SelectsAsync(client, ns.Name, "rollout-bluegreen-preview", green, fledge);
        await SelectsAsync(client, ns.Name, "rollout-bluegreen-active", blue, fledge);

        var promoted = ClusterCliTests.Fledge(ns.Name, "rollout", "promote", "rollout-bluegreen");
        promoted.Code.ShouldBe(0, promoted.ToString());
        await SelectsAsync(client, ns.Name, "rollout-bluegreen-active", green, fledge);
    }

    [Fact(Timeout = 300_000)]
    public async Task ArgoCanaryExample_AppliedAsWritten_SettlesAtArgosCountsInItsFirstPause()
    {
        using var client = ControlPlane.Client();
        using var ns = ControlPlane.Namespace("argo-canary");
        await using var kubelet = new TestKubelet(client, ns.Name);
        await using var fledge = await OperatorProcess.StartAsync(ns.Name);

        ControlPlane.Kubectl("apply", "-n", ns.Name, "-f", Example("rollout-canary.yaml")).Code.ShouldBe(0);
        await RollingUpdateTests.WaitForAsync(ns.Name, "rollouts.argoproj.io/rollout-canary", s => s.Phase == "Healthy" && s.AvailableReplicas == 5, fledge);
        ControlPlane.Kubectl("argo", "version").Code.ShouldNotBe(0, "the test shows Fledge steering Argo's files, not Argo's own plugin");
        ClusterCliTests.Fledge(ns.Name, "set", "image", "rollout/rollout-canary", "rollouts-demo=argoproj/rollouts-demo:yellow").Code.ShouldBe(0);

        // setWeight 20 of 5 replicas, then pause {}: 1 canary and 4 stable (expected-pauses.json of Argo's examples)
        await RollingUpdateTests.WaitForAsync(ns.Name, "rollouts.argoproj.io/rollout-canary", s => s.Phase == "Paused", fledge);
        var sets = (await client.AppsV1.ListNamespacedReplicaSetAsync(ns.Name, cancellationToken: TestContext.Current.CancellationToken)).Items;
        var counts = sets.ToDictionary(rs => rs.Spec.Template.Spec.Containers[0].Image, rs => rs.Spec.Replicas);
        (counts["argoproj/rollouts-demo:yellow"], counts["argoproj/rollouts-demo:blue"]).ShouldBe((1, 4));
        var table = ClusterCliTests.Fledge(ns.Name, "get", "rollouts", "-o", "wide");
        table.Output.ShouldContain("rollout-canary");
        table.Output.ShouldContain("1/8");
    }

    [Theory]
    [InlineData("rollouts")]
    [InlineData("analysistemplates")]
    [InlineData("clusteranalysistemplates")]
    public void ArgoprojResources_HaveTheSchemaOfFledgesOwn(string plural)
    {
        static string Schema(string path)
        {
            var text = File.ReadAllText(path);
            return text[text.IndexOf("    additionalPrinterColumns:", StringComparison.Ordinal)..];
        }

        var deploy = Path.Combine(ControlPlane.Repository, "deploy", "kubernetes");
        Schema(Path.Combine(deploy, "argoproj", $"{plural}.argoproj.io.yaml"))
            .ShouldBe(Schema(Path.Combine(deploy, "crds", $"{plural.Replace("cluster", "", StringComparison.Ordinal)}.fledge.io.yaml")));
    }

    private static async Task SelectsAsync(IKubernetes client, string ns, string service, V1ReplicaSet rs, OperatorProcess fledge)
    {
        var hash = rs.Metadata.Labels["pod-template-hash"];
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (true)
        {
            var selector = (await client.CoreV1.ReadNamespacedServiceAsync(service, ns, cancellationToken: TestContext.Current.CancellationToken)).Spec.Selector;
            if (selector.TryGetValue("pod-template-hash", out var selected) && selected == hash)
            {
                return;
            }

            DateTime.UtcNow.ShouldBeLessThan(deadline, $"{service} selects {string.Join(",", selector)}, not {rs.Metadata.Name}\n{fledge.Output}");
            await Task.Delay(200, TestContext.Current.CancellationToken);
        }
    }

    /// <summary>
    /// Argo's workloadRef example as written (a Deployment of 0 replicas and a Rollout naming it): the operator runs the
    /// Deployment's template; a Deployment scaled up beside it is scaled down again once the Rollout is healthy
    /// (scaleDown: onsuccess), and the Deployment's new image is the Rollout's next revision.
    /// </summary>
    [Fact(Timeout = 300_000)]
    public async Task ArgoWorkloadRefExample_RunsTheDeploymentsTemplate_ScalesItDownOnSuccess_AndFollowsIt()
    {
        using var client = ControlPlane.Client();
        using var ns = ControlPlane.Namespace("argo-workload");
        await using var kubelet = new TestKubelet(client, ns.Name);
        await using var fledge = await OperatorProcess.StartAsync(ns.Name);
        var rollout = "rollouts.argoproj.io/rollout-ref-deployment";

        ControlPlane.Kubectl("apply", "-n", ns.Name, "-f", ConformanceFiles.PathOf(Path.Combine("argo", "examples", "rollout-template-ref.yaml"))).Code.ShouldBe(0);
        await RollingUpdateTests.WaitForAsync(ns.Name, rollout, s => s.Phase == "Healthy" && s.AvailableReplicas == 5, fledge);
        var sets = (await client.AppsV1.ListNamespacedReplicaSetAsync(ns.Name, cancellationToken: TestContext.Current.CancellationToken)).Items
            .Where(rs => rs.Metadata.OwnerReferences?.Any(o => o.Kind == "Rollout") == true).ToList();
        sets.ShouldHaveSingleItem().Spec.Template.Spec.Containers[0].Image.ShouldBe("argoproj/rollouts-demo:blue");

        ControlPlane.Kubectl("patch", "-n", ns.Name, rollout, "--type=merge", "-p", "{\"spec\":{\"workloadRef\":{\"scaleDown\":\"onsuccess\"}}}").Code.ShouldBe(0);
        ControlPlane.Kubectl("scale", "-n", ns.Name, "deployment/rollout-ref-deployment", "--replicas=2").Code.ShouldBe(0);
        await WaitForDeploymentReplicasAsync(client, ns.Name, 0, fledge);
        ControlPlane.Kubectl("get", "events", "-n", ns.Name).Output.ShouldContain("Scaled down Deployment rollout-ref-deployment from 2 to 0 (workloadRef scaleDown: onsuccess)");

        ControlPlane.Kubectl("set", "image", "-n", ns.Name, "deployment/rollout-ref-deployment", "rollouts-demo=argoproj/rollouts-demo:green").Code.ShouldBe(0);
        await RollingUpdateTests.WaitForAsync(ns.Name, rollout, s => s.Phase == "Paused", fledge, seconds: 60);
        (await client.AppsV1.ListNamespacedReplicaSetAsync(ns.Name, cancellationToken: TestContext.Current.CancellationToken)).Items
            .ShouldContain(rs => rs.Spec.Template.Spec.Containers[0].Image == "argoproj/rollouts-demo:green" && rs.Metadata.OwnerReferences.Any(o => o.Kind == "Rollout"),
                "the Deployment's new template is the Rollout's canary");
    }

    private static async Task WaitForDeploymentReplicasAsync(IKubernetes client, string ns, int replicas, OperatorProcess fledge)
    {
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (DateTime.UtcNow < deadline)
        {
            var deployment = await client.AppsV1.ReadNamespacedDeploymentAsync("rollout-ref-deployment", ns, cancellationToken: TestContext.Current.CancellationToken);
            if (deployment.Spec.Replicas == replicas)
            {
                return;
            }

            await Task.Delay(250, TestContext.Current.CancellationToken);
        }

        throw new ShouldAssertException($"the Deployment was not scaled to {replicas}\noperator:\n{fledge.Output}");
    }

    private static string Example(string file) => Path.Combine(ControlPlane.Repository, "tests", "Fledge.Kubernetes.Tests", "Argo", file);
}
