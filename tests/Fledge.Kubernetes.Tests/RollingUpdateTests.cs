using System.Globalization;
using System.Text.Json;
using k8s;
using k8s.Models;

namespace Fledge.Kubernetes.Tests;

/// <summary>
/// The operator on a real API server (with the real ReplicaSet controller making pods and the tests' kubelet making
/// them ready): a Rollout applied with kubectl rolls out and updates as a Deployment does, through ReplicaSets it
/// owns; the API server refuses a Rollout the schema forbids, with the field's path.
/// </summary>
public sealed class RollingUpdateTests
{
    [Fact(Timeout = 300_000)]
    public async Task Rollout_AppliedWithKubectl_RollsOutAndUpdatesThroughOwnedReplicaSets()
    {
        using var client = ControlPlane.Client();
        using var ns = ControlPlane.Namespace("rolling");
        await using var kubelet = new TestKubelet(client, ns.Name);
        await using var fledge = await OperatorProcess.StartAsync(ns.Name);

        Apply(ns.Name, Rollout("v1", replicas: 3));
        await WaitForAsync(ns.Name, "web", s => s.AvailableReplicas == 3 && s.UpdatedReplicas == 3 && s.Phase == "Healthy", fledge);

        Apply(ns.Name, Rollout("v2", replicas: 3));
        var status = await WaitForAsync(ns.Name, "web", s => s.ObservedGeneration == 2 && s.UpdatedReplicas == 3 && s.AvailableReplicas == 3 && s.Replicas == 3 && s.Phase == "Healthy", fledge);
        status.Conditions.ShouldContain(c => c.Type == "Available" && c.Status == "True");
        status.Conditions.ShouldContain(c => c.Type == "Progressing" && c.Reason == "NewReplicaSetAvailable");

        // Two ReplicaSets, controlled by the Rollout, with the pod-template-hash label in their selector and template
        var rollout = await client.CustomObjects.GetNamespacedCustomObjectAsync<RolloutObject>("fledge.io", "v1alpha1", ns.Name, "rollouts", "web", TestContext.Current.CancellationToken);
        var sets = (await client.AppsV1.ListNamespacedReplicaSetAsync(ns.Name, cancellationToken: TestContext.Current.CancellationToken)).Items.OrderBy(rs => Revision(rs)).ToList();
        sets.Count.ShouldBe(2);
        foreach (var rs in sets)
        {
            var owner = rs.Metadata.OwnerReferences.ShouldHaveSingleItem();
            (owner.Kind, owner.Name, owner.Uid, owner.Controller).ShouldBe(("Rollout", "web", rollout.Metadata.Uid, (bool?)true));
            var hash = rs.Metadata.Labels["pod-template-hash"];
            rs.Metadata.Name.ShouldBe($"web-{hash}");
            rs.Spec.Selector.MatchLabels["pod-template-hash"].ShouldBe(hash);
            rs.Spec.Template.Metadata.Labels["pod-template-hash"].ShouldBe(hash);
        }

        (sets[0].Spec.Replicas, sets[0].Spec.Template.Spec.Containers[0].Image, Revision(sets[0])).ShouldBe((0, "registry.example/web:v1", 1));
        (sets[1].Spec.Replicas, sets[1].Spec.Template.Spec.Containers[0].Image, Revision(sets[1])).ShouldBe((3, "registry.example/web:v2", 2));
        rollout.Metadata.Annotations["deployment.kubernetes.io/revision"].ShouldBe("2");

        // Every scaling decision is an Event on the Rollout, as the Deployment controller records them
        var events = (await client.CoreV1.ListNamespacedEventAsync(ns.Name, cancellationToken: TestContext.Current.CancellationToken)).Items.Where(e => e.InvolvedObject.Name == "web").ToList();
        events.ShouldContain(e => e.Reason == "ScalingReplicaSet" && e.Message.Contains($"Scaled up replica set {sets[1].Metadata.Name}", StringComparison.Ordinal));
        events.ShouldContain(e => e.Reason == "ScalingReplicaSet" && e.Message.Contains($"Scaled down replica set {sets[0].Metadata.Name}", StringComparison.Ordinal));
        events.ShouldAllBe(e => e.Source.Component == "fledge-operator");

        // kubectl get shows the printer columns
        var (_, table, _) = ControlPlane.Kubectl("get", "rollouts.fledge.io", "-n", ns.Name);
        table.ShouldContain("PHASE");
        table.ShouldContain("Healthy");
    }

    [Fact(Timeout = 120_000)]
    public async Task Rollout_TheSchemaForbids_IsRefusedByTheApiServerWithTheFieldPath()
    {
        using var ns = ControlPlane.Namespace("schema");
        var bad = Rollout("v1", replicas: 3).Replace("replicas: 3", "replicas: -1", StringComparison.Ordinal).Replace("maxSurge: 1", "maxSurge: \"lots\"", StringComparison.Ordinal);

        var (code, _, error) = ControlPlane.KubectlWithInput(bad, "apply", "-n", ns.Name, "-f", "-");

        code.ShouldNotBe(0);
        error.ShouldContain("spec.replicas: Invalid value: -1");
        error.ShouldContain("spec.strategy.rollingUpdate.maxSurge: Invalid value: \"lots\"");
        ControlPlane.Kubectl("get", "rollouts.fledge.io", "-n", ns.Name, "-o", "name").Output.Trim().ShouldBeEmpty();
    }

    internal static string Rollout(string version, int replicas, string maxSurge = "1", string maxUnavailable = "0") => string.Create(CultureInfo.InvariantCulture, $"""
        apiVersion: fledge.io/v1alpha1
        kind: Rollout
        metadata:
          name: web
          annotations:
            kubernetes.io/change-cause: "web {version}"
        spec:
          replicas: {replicas}
          selector:
            matchLabels: {"{"}app: web{"}"}
          strategy:
            type: RollingUpdate
            rollingUpdate:
              maxSurge: {maxSurge}
              maxUnavailable: {maxUnavailable}
          template:
            metadata:
              labels: {"{"}app: web{"}"}
            spec:
              containers:
              - name: web
                image: registry.example/web:{version}
        """);

    internal static void Apply(string ns, string yaml)
    {
        var (code, output, error) = ControlPlane.KubectlWithInput(yaml, "apply", "-n", ns, "-f", "-");
        code.ShouldBe(0, $"{output}\n{error}");
    }

    /// <summary>Waits until the Rollout's status (as the API server holds it) satisfies <paramref name="done"/>.</summary>
    /// <param name="name">A fledge.io Rollout's name, or rollouts.argoproj.io/NAME for Argo's.</param>
    internal static async Task<ObservedStatus> WaitForAsync(string ns, string name, Func<ObservedStatus, bool> done, OperatorProcess fledge, int seconds = 90)
    {
        var deadline = DateTime.UtcNow.AddSeconds(seconds);
        ObservedStatus? last = null;
        using var client = ControlPlane.Client();
        while (DateTime.UtcNow < deadline)
        {
            last = await StatusAsync(client, ns, name);
            if (last is not null && done(last))
            {
                return last;
            }

            await Task.Delay(250, TestContext.Current.CancellationToken);
        }

        throw new ShouldAssertException($"rollout {ns}/{name} did not get there in {seconds}s; last status: {JsonSerializer.Serialize(last)}\noperator:\n{fledge.Output}");
    }

    /// <summary>A Rollout's status as the API server holds it (read in-process: a poll must not cost a kubectl process), or null.</summary>
    internal static async Task<ObservedStatus?> StatusAsync(IKubernetes client, string ns, string name)
    {
        var group = name.StartsWith("rollouts.argoproj.io/", StringComparison.Ordinal) ? "argoproj.io" : "fledge.io";
        try
        {
            var rollout = await client.CustomObjects.GetNamespacedCustomObjectAsync<RolloutObject>(group, "v1alpha1", ns, "rollouts", name[(name.IndexOf('/', StringComparison.Ordinal) + 1)..],
                TestContext.Current.CancellationToken);
            return rollout.Status?.Deserialize<ObservedStatus>(CaseInsensitive) is { } status ? status with { Conditions = status.Conditions ?? [] } : null;
        }
        catch (k8s.Autorest.HttpOperationException e) when (e.Response?.StatusCode == System.Net.HttpStatusCode.NotFound)
        {
            return null;
        }
    }

    private static readonly JsonSerializerOptions CaseInsensitive = new() { PropertyNameCaseInsensitive = true };

    private static long Revision(V1ReplicaSet rs) => long.Parse(rs.Metadata.Annotations["deployment.kubernetes.io/revision"], CultureInfo.InvariantCulture);
}

/// <summary>The parts of a Rollout's status the tests read.</summary>
internal sealed record ObservedStatus(
    long ObservedGeneration, int Replicas, int UpdatedReplicas, int ReadyReplicas, int AvailableReplicas, string? Phase, List<ObservedCondition> Conditions)
{
    public DateTimeOffset? RestartedAt { get; init; }
}

internal sealed record ObservedCondition(string Type, string Status, string Reason, string Message);
