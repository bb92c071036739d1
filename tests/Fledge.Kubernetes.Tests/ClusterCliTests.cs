using k8s;
using k8s.Models;

namespace Fledge.Kubernetes.Tests;

/// <summary>
/// The `fledge` verbs on a cluster (--kubeconfig, -n), with the project's own sample manifests as a user applies them:
/// a rolling update followed by `rollout status`, history, undo to a revision (the old ReplicaSet comes back, renumbered),
/// pause and resume; blue-green by the Services' selectors; a canary by replica ratio, promoted and aborted.
/// </summary>
public sealed class ClusterCliTests
{
    [Fact(Timeout = 600_000)]
    public async Task Verbs_OnACluster_RollOutUndoAndPauseAsOnOneHost()
    {
        using var client = ControlPlane.Client();
        using var ns = ControlPlane.Namespace("cli");
        await using var kubelet = new TestKubelet(client, ns.Name);
        await using var fledge = await OperatorProcess.StartAsync(ns.Name);

        Fledge(ns.Name, "apply", "-f", Sample("hello-v1.yaml")).Output.ShouldContain("rollout/hello created");
        var status = Fledge(ns.Name, "rollout", "status", "hello", "--timeout", "2m");
        status.Code.ShouldBe(0, status.ToString());
        status.Output.ShouldContain("rollout \"hello\" successfully rolled out");

        Fledge(ns.Name, "set", "image", "rollout/hello", "hello=fledge/hello:v2").Output.ShouldContain("image updated");
        Fledge(ns.Name, "rollout", "status", "hello", "--timeout", "2m").ShouldSucceed(fledge);
        var history = Fledge(ns.Name, "rollout", "history", "hello");
        history.Output.ShouldContain("fledge/hello:v1");
        history.Output.ShouldContain("fledge/hello:v2");

        // Undo to revision 1: its ReplicaSet comes back as revision 3; no third ReplicaSet is made
        var first = (await ReplicaSetsAsync(client, ns.Name)).Single(rs => rs.Spec.Template.Spec.Containers[0].Image == "fledge/hello:v1").Metadata.Name;
        Fledge(ns.Name, "rollout", "undo", "hello", "--to-revision", "1").Output.ShouldContain("rolled back");
        Fledge(ns.Name, "rollout", "status", "hello", "--timeout", "2m").ShouldSucceed(fledge);
        var sets = await ReplicaSetsAsync(client, ns.Name);
        sets.Count.ShouldBe(2, fledge.Output);
        var back = sets.Single(rs => rs.Metadata.Name == first);
        (back.Spec.Replicas, back.Metadata.Annotations["deployment.kubernetes.io/revision"]).ShouldBe((5, "3"));
        var missing = Fledge(ns.Name, "rollout", "undo", "hello", "--to-revision", "9");
        missing.Code.ShouldNotBe(0);
        missing.Error.ShouldContain("unable to find specified revision 9");

        Fledge(ns.Name, "rollout", "pause", "hello").Output.ShouldContain("rollout \"hello\" paused");
        Fledge(ns.Name, "get", "rollout", "hello", "-o", "jsonpath={.spec.paused}").Output.ShouldBe("true");
        Fledge(ns.Name, "rollout", "pause", "hello").Output.ShouldContain("already paused");
        Fledge(ns.Name, "rollout", "resume", "hello").Output.ShouldContain("resumed");

        var table = Fledge(ns.Name, "get", "rollouts");
        table.Output.ShouldContain("hello");
        table.Output.ShouldContain("5/5");
        Fledge(ns.Name, "describe", "rollout", "hello").Output.ShouldContain("ScalingReplicaSet");
        var unknown = Fledge(ns.Name, "get", "rollout", "nope");
        unknown.Code.ShouldNotBe(0);
        unknown.Error.ShouldContain("Rollout \"nope\" not found");
    }

    [Fact(Timeout = 300_000)]
    public async Task RolloutStatus_OnACluster_ExitsOneWhenTheProgressDeadlinePasses()
    {
        using var client = ControlPlane.Client();
        using var ns = ControlPlane.Namespace("cli-deadline");
        await using var kubelet = new TestKubelet(client, ns.Name);
        await using var fledge = await OperatorProcess.StartAsync(ns.Name);
        var broken = File.ReadAllText(Sample("hello-v1.yaml")).Replace("fledge/hello:v1", "fledge/hello:broken", StringComparison.Ordinal)
            .Replace("spec:\n  replicas: 5", "spec:\n  progressDeadlineSeconds: 5\n  replicas: 5", StringComparison.Ordinal);
        broken.ShouldContain("progressDeadlineSeconds: 5");

        FledgeWithInput(ns.Name, broken, "apply", "-f", "-").Code.ShouldBe(0);
        var status = Fledge(ns.Name, "rollout", "status", "hello", "--timeout", "2m");

        status.Code.ShouldBe(1, status.ToString());
        status.Error.ShouldContain("exceeded its progress deadline");
    }

    [Fact(Timeout = 300_000)]
    public async Task BlueGreen_OnACluster_SwitchesTheServicesSelectorsOnPromotion()
    {
        using var client = ControlPlane.Client();
        using var ns = ControlPlane.Namespace("cli-bluegreen");
        await using var kubelet = new TestKubelet(client, ns.Name);
        await using var fledge = await OperatorProcess.StartAsync(ns.Name);

        Fledge(ns.Name, "apply", "-f", Sample("blue-green/hello-services.yaml"), "-f", Sample("blue-green/hello-bluegreen-v1.yaml")).Code.ShouldBe(0);
        Fledge(ns.Name, "rollout", "status", "hello", "--timeout", "2m").ShouldSucceed(fledge);
        var v1 = (await ReplicaSetsAsync(client, ns.Name)).Single().Metadata.Labels["pod-template-hash"];
        await SelectorAsync(client, ns.Name, "hello", v1, fledge);
        await SelectorAsync(client, ns.Name, "hello-preview", v1, fledge);

        Fledge(ns.Name, "apply", "-f", Sample("blue-green/hello-bluegreen-v2.yaml")).Code.ShouldBe(0);
        await RollingUpdateTests.WaitForAsync(ns.Name, "hello", s => s.Phase == "Paused", fledge);
        var v2 = (await ReplicaSetsAsync(client, ns.Name)).Single(rs => rs.Spec.Template.Spec.Containers[0].Image == "fledge/hello:v2").Metadata.Labels["pod-template-hash"];
        await SelectorAsync(client, ns.Name, "hello-preview", v2, fledge);
        await SelectorAsync(client, ns.Name, "hello", v1, fledge);

        Fledge(ns.Name, "rollout", "promote", "hello").Code.ShouldBe(0);
        await SelectorAsync(client, ns.Name, "hello", v2, fledge);
        // The old version stays up for scaleDownDelaySeconds (30 s), so going back is instant; then it goes
        (await ReplicaSetsAsync(client, ns.Name)).Single(rs => rs.Metadata.Labels["pod-template-hash"] == v1).Spec.Replicas.ShouldBe(3);
        await RollingUpdateTests.WaitForAsync(ns.Name, "hello", s => s.Phase == "Healthy", fledge);
        (await ReplicaSetsAsync(client, ns.Name)).Single(rs => rs.Metadata.Labels["pod-template-hash"] == v1).Spec.Replicas.ShouldBe(0);
        var service = await client.CoreV1.ReadNamespacedServiceAsync("hello", ns.Name, cancellationToken: TestContext.Current.CancellationToken);
        service.Metadata.Annotations[KubernetesPlatform.ManagedBy].ShouldBe("hello");
    }

    [Fact(Timeout = 300_000)]
    public async Task Canary_OnACluster_SplitsByReplicasAndIsPromotedAndAborted()
    {
        using var client = ControlPlane.Client();
        using var ns = ControlPlane.Namespace("cli-canary");
        await using var kubelet = new TestKubelet(client, ns.Name);
        await using var fledge = await OperatorProcess.StartAsync(ns.Name);
        // Without a traffic router the canary's share of requests is its share of the replicas (Argo's basic canary).
        string Version(string file) => File.ReadAllText(Sample(file)).Replace("      trafficRouting: {}\n", "", StringComparison.Ordinal);

        Fledge(ns.Name, "apply", "-f", Sample("canary/hello-services.yaml")).Code.ShouldBe(0);
        FledgeWithInput(ns.Name, Version("canary/hello-canary-v1.yaml"), "apply", "-f", "-").Code.ShouldBe(0);
        Fledge(ns.Name, "rollout", "status", "hello", "--timeout", "2m").ShouldSucceed(fledge);
        FledgeWithInput(ns.Name, Version("canary/hello-canary-v2.yaml"), "apply", "-f", "-").Code.ShouldBe(0);

        // setWeight 20 of 4 replicas with maxSurge 25%: one canary replica beside four stable ones (exactly 20%, Argo's
        // arithmetic), then the minute's pause
        await RollingUpdateTests.WaitForAsync(ns.Name, "hello", s => s.Phase == "Paused", fledge);
        var (stable, canary) = await TracksAsync(client, ns.Name);
        (stable.Spec.Replicas, canary.Spec.Replicas).ShouldBe((4, 1));
        await SelectorAsync(client, ns.Name, "hello-canary", canary.Metadata.Labels["pod-template-hash"], fledge);
        await SelectorAsync(client, ns.Name, "hello", stable.Metadata.Labels["pod-template-hash"], fledge);
        Fledge(ns.Name, "get", "rollouts", "-o", "wide").Output.ShouldContain("1/4");

        // promote ends the pause: setWeight 50, two and two, until the next (indefinite) pause
        Fledge(ns.Name, "rollout", "promote", "hello").Output.ShouldContain("promoted");
        await WaitForReplicasAsync(client, ns.Name, 2, 2, fledge);
        await RollingUpdateTests.WaitForAsync(ns.Name, "hello", s => s.Phase == "Paused", fledge);

        // abort: the stable version back to all four replicas, the rollout Degraded
        Fledge(ns.Name, "rollout", "abort", "hello").Output.ShouldContain("aborted");
        await RollingUpdateTests.WaitForAsync(ns.Name, "hello", s => s.Phase == "Degraded", fledge);
        await WaitForReplicasAsync(client, ns.Name, 4, null, fledge);
        Fledge(ns.Name, "rollout", "abort", "hello").Error.ShouldContain("already aborted");
    }

    private static async Task WaitForReplicasAsync(IKubernetes client, string ns, int stable, int? canary, OperatorProcess fledge)
    {
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (true)
        {
            var (s, c) = await TracksAsync(client, ns);
            if (s.Spec.Replicas == stable && (canary is null || c.Spec.Replicas == canary))
            {
                return;
            }

            DateTime.UtcNow.ShouldBeLessThan(deadline, $"stable {s.Spec.Replicas}, canary {c.Spec.Replicas}\n{fledge.Output}");
            await Task.Delay(250, TestContext.Current.CancellationToken);
        }
    }

    private static async Task<(V1ReplicaSet Stable, V1ReplicaSet Canary)> TracksAsync(IKubernetes client, string ns)
    {
        var sets = await ReplicaSetsAsync(client, ns);
        return (sets.Single(rs => rs.Spec.Template.Spec.Containers[0].Image == "fledge/hello:v1"), sets.Single(rs => rs.Spec.Template.Spec.Containers[0].Image == "fledge/hello:v2"));
    }

    private static async Task SelectorAsync(IKubernetes client, string ns, string service, string hash, OperatorProcess fledge)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (true)
        {
            var found = await client.CoreV1.ReadNamespacedServiceAsync(service, ns, cancellationToken: TestContext.Current.CancellationToken);
            if (found.Spec.Selector.TryGetValue("pod-template-hash", out var selected) && selected == hash)
            {
                found.Spec.Selector["app"].ShouldBe("hello");
                return;
            }

            DateTime.UtcNow.ShouldBeLessThan(deadline, $"Service {service} selects {string.Join(",", found.Spec.Selector)}, not pod-template-hash={hash}\n{fledge.Output}");
            await Task.Delay(200, TestContext.Current.CancellationToken);
        }
    }

    private static async Task<List<V1ReplicaSet>> ReplicaSetsAsync(IKubernetes client, string ns) =>
        [.. (await client.AppsV1.ListNamespacedReplicaSetAsync(ns, cancellationToken: TestContext.Current.CancellationToken)).Items];

    private static string Sample(string file) => Path.Combine(ControlPlane.Repository, "samples", "manifests", file);

    internal static CliResult Fledge(string ns, params string[] arguments) => FledgeWithInput(ns, null, arguments);

    /// <summary>`fledge --kubeconfig K -n NS ...` as a user runs it: the real binary, its exit code and both outputs.</summary>
    internal static CliResult FledgeWithInput(string ns, string? input, params string[] arguments)
    {
        var (code, output, error) = ControlPlane.RunProcess(Tools.Dotnet,
            [Path.Combine(AppContext.BaseDirectory, "fledge.dll"), "--kubeconfig", ControlPlane.Kubeconfig, "-n", ns, .. arguments], input);
        return new CliResult(code, output, error);
    }
}

internal sealed record CliResult(int Code, string Output, string Error)
{
    public override string ToString() => $"exit {Code}\n{Output}\n{Error}";

    /// <summary>Exit 0, or the command's output and the operator's log in the failure.</summary>
    public CliResult ShouldSucceed(OperatorProcess fledge)
    {
        Code.ShouldBe(0, $"{this}\noperator:\n{fledge.Output}");
        return this;
    }
}
