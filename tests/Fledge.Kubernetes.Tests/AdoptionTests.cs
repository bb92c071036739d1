using k8s;
using k8s.Models;

namespace Fledge.Kubernetes.Tests;

/// <summary>
/// ReplicaSets claimed by selector, as the Deployment controller claims them: one without a controller whose labels
/// the Rollout selects is adopted (and, as an old revision, scaled down); one whose labels stop matching is released.
/// </summary>
public sealed class AdoptionTests
{
    [Fact(Timeout = 300_000)]
    public async Task OrphanReplicaSet_TheRolloutSelects_IsAdoptedThenReleasedWhenItsLabelsChange()
    {
        using var client = ControlPlane.Client();
        using var ns = ControlPlane.Namespace("adopt");
        await using var kubelet = new TestKubelet(client, ns.Name);
        await using var fledge = await OperatorProcess.StartAsync(ns.Name);
        await client.AppsV1.CreateNamespacedReplicaSetAsync(new V1ReplicaSet
        {
            Metadata = new V1ObjectMeta { Name = "web-by-hand", Labels = new Dictionary<string, string> { ["app"] = "web" } },
            Spec = new V1ReplicaSetSpec
            {
                Replicas = 2,
                Selector = new V1LabelSelector { MatchLabels = new Dictionary<string, string> { ["app"] = "web" } },
                Template = new V1PodTemplateSpec
                {
                    Metadata = new V1ObjectMeta { Labels = new Dictionary<string, string> { ["app"] = "web" } },
                    Spec = new V1PodSpec { Containers = [new V1Container { Name = "web", Image = "registry.example/web:v0" }] },
                },
            },
        }, ns.Name, cancellationToken: TestContext.Current.CancellationToken);

        RollingUpdateTests.Apply(ns.Name, RollingUpdateTests.Rollout("v1", replicas: 2));
        await RollingUpdateTests.WaitForAsync(ns.Name, "web", s => s.AvailableReplicas == 2 && s.UpdatedReplicas == 2 && s.Replicas == 2, fledge);

        var adopted = await client.AppsV1.ReadNamespacedReplicaSetAsync("web-by-hand", ns.Name, cancellationToken: TestContext.Current.CancellationToken);
        var owner = adopted.Metadata.OwnerReferences.ShouldHaveSingleItem();
        (owner.Kind, owner.Name, owner.Controller).ShouldBe(("Rollout", "web", (bool?)true));
        adopted.Spec.Replicas.ShouldBe(0, "an adopted ReplicaSet of another template is an old revision: scaled down");
        var events = await client.CoreV1.ListNamespacedEventAsync(ns.Name, cancellationToken: TestContext.Current.CancellationToken);
        events.Items.ShouldContain(e => e.Reason == "Adopted" && e.Message.Contains("web-by-hand", StringComparison.Ordinal));

        ControlPlane.Kubectl("label", "rs", "web-by-hand", "app=other", "--overwrite", "-n", ns.Name).Code.ShouldBe(0);
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while ((await client.AppsV1.ReadNamespacedReplicaSetAsync("web-by-hand", ns.Name, cancellationToken: TestContext.Current.CancellationToken)).Metadata.OwnerReferences is { Count: > 0 })
        {
            DateTime.UtcNow.ShouldBeLessThan(deadline, fledge.Output);
            await Task.Delay(200, TestContext.Current.CancellationToken);
        }

        // The Event is recorded after the patch that releases the ReplicaSet: wait for it as for the patch
        while (!(await client.CoreV1.ListNamespacedEventAsync(ns.Name, cancellationToken: TestContext.Current.CancellationToken)).Items
            .Any(e => e.Reason == "Released" && e.Message.Contains("web-by-hand", StringComparison.Ordinal)))
        {
            DateTime.UtcNow.ShouldBeLessThan(deadline.AddSeconds(10), "a Released event naming web-by-hand\n" + fledge.Output);
            await Task.Delay(200, TestContext.Current.CancellationToken);
        }
    }
}
