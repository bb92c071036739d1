using System.Globalization;
using k8s;

namespace Fledge.Kubernetes.Tests;

/// <summary>
/// The operator under faults, on the real API server: killed at seeded points of a rolling update it resumes from what
/// the API server holds (no duplicate ReplicaSet, never more than maxSurge above the replicas); two operators never
/// both act; a version that never becomes ready ends in ProgressDeadlineExceeded as a Deployment does.
/// </summary>
public sealed class OperatorFaultTests
{
    [Fact(Timeout = 600_000)]
    public async Task Operator_KilledAtSeededPointsOfARollingUpdate_ResumesWithoutDuplicatesOrSurgeBeyondTheLimit()
    {
        var random = new Random(20261203);
        using var client = ControlPlane.Client();
        using var ns = ControlPlane.Namespace("killed");
        await using var kubelet = new TestKubelet(client, ns.Name, TimeSpan.FromMilliseconds(500));
        var identity = $"killed-{Guid.NewGuid().ToString("N")[..6]}";
        var fledge = await OperatorProcess.StartAsync(ns.Name, identity);
        try
        {
            RollingUpdateTests.Apply(ns.Name, RollingUpdateTests.Rollout("v0", replicas: 4));
            await RollingUpdateTests.WaitForAsync(ns.Name, "web", s => s.Phase == "Healthy" && s.AvailableReplicas == 4, fledge);
            using var sampling = new CancellationTokenSource();
            var most = 0;
            async Task SampleAsync()
            {
                while (!sampling.IsCancellationRequested)
                {
                    var sets = await client.AppsV1.ListNamespacedReplicaSetAsync(ns.Name, cancellationToken: CancellationToken.None);
                    most = Math.Max(most, sets.Items.Sum(rs => rs.Spec.Replicas ?? 0));
                    await Task.Delay(50, CancellationToken.None);
                }
            }

            var sampler = Task.Run(SampleAsync, TestContext.Current.CancellationToken);

            for (var round = 1; round <= 4; round++)
            {
                // Given a rolling update under way
                RollingUpdateTests.Apply(ns.Name, RollingUpdateTests.Rollout($"v{round}", replicas: 4));
                var at = random.Next(200, 2500);
                await Task.Delay(at, TestContext.Current.CancellationToken);

                // When the operator is killed and another one (the same identity, as a restarted pod keeps its Lease) starts
                fledge.Kill();
                await fledge.DisposeAsync();
                fledge = await OperatorProcess.StartAsync(ns.Name, identity);

                // Then the update completes from what the API server holds: one ReplicaSet per revision, the new one full
                var done = await RollingUpdateTests.WaitForAsync(ns.Name, "web",
                    s => s.ObservedGeneration == round + 1 && s.Phase == "Healthy" && s.UpdatedReplicas == 4 && s.AvailableReplicas == 4 && s.Replicas == 4, fledge);
                var sets = (await client.AppsV1.ListNamespacedReplicaSetAsync(ns.Name, cancellationToken: TestContext.Current.CancellationToken)).Items;
                sets.Count.ShouldBe(round + 1, $"killed {at} ms into round {round}: {string.Join(", ", sets.Select(rs => $"{rs.Metadata.Name}={rs.Spec.Replicas}"))}");
                sets.Single(rs => rs.Spec.Replicas > 0).Spec.Template.Spec.Containers[0].Image.ShouldBe($"registry.example/web:v{round}");
                done.Conditions.ShouldContain(c => c.Type == "Progressing" && c.Reason == "NewReplicaSetAvailable");
            }

            await sampling.CancelAsync();
            await sampler;
            most.ShouldBeLessThanOrEqualTo(5, "4 replicas with maxSurge 1 never ask for more than 5 pods, kill or no kill");
        }
        finally
        {
            await fledge.DisposeAsync();
        }
    }

    [Fact(Timeout = 300_000)]
    public async Task TwoOperators_OnlyTheLeaseHolderActs()
    {
        using var client = ControlPlane.Client();
        using var ns = ControlPlane.Namespace("lease");
        await using var kubelet = new TestKubelet(client, ns.Name);
        await using var first = await OperatorProcess.StartAsync(ns.Name, "first");
        await using var second = await OperatorProcess.StartAsync(ns.Name, "second");

        RollingUpdateTests.Apply(ns.Name, RollingUpdateTests.Rollout("v1", replicas: 2));
        await RollingUpdateTests.WaitForAsync(ns.Name, "web", s => s.Phase == "Healthy" && s.AvailableReplicas == 2, first);
        RollingUpdateTests.Apply(ns.Name, RollingUpdateTests.Rollout("v2", replicas: 2));
        await RollingUpdateTests.WaitForAsync(ns.Name, "web", s => s.ObservedGeneration == 2 && s.Phase == "Healthy" && s.UpdatedReplicas == 2, first);

        // Exactly one of them holds the Lease and wrote every Event; the other never reconciled
        var lease = await client.CoordinationV1.ReadNamespacedLeaseAsync("fledge-operator", ns.Name, cancellationToken: TestContext.Current.CancellationToken);
        var holder = lease.Spec.HolderIdentity;
        holder.ShouldBeOneOf("first", "second");
        var (leader, standby) = holder == "first" ? (first, second) : (second, first);
        leader.Output.ShouldContain("holds lease");
        standby.Output.ShouldNotContain("holds lease");
        var events = (await client.CoreV1.ListNamespacedEventAsync(ns.Name, cancellationToken: TestContext.Current.CancellationToken)).Items
            .Where(e => e.Source?.Component == "fledge-operator").ToList();
        events.ShouldNotBeEmpty();
        events.ShouldAllBe(e => e.ReportingInstance == holder);
    }

    [Fact(Timeout = 300_000)]
    public async Task NeverReadyVersion_EndsInProgressDeadlineExceeded_WithTheOldVersionServing()
    {
        using var client = ControlPlane.Client();
        using var ns = ControlPlane.Namespace("deadline");
        await using var kubelet = new TestKubelet(client, ns.Name);
        await using var fledge = await OperatorProcess.StartAsync(ns.Name);
        RollingUpdateTests.Apply(ns.Name, RollingUpdateTests.Rollout("v1", replicas: 2).Replace("replicas: 2", "replicas: 2\n  progressDeadlineSeconds: 10", StringComparison.Ordinal));
        await RollingUpdateTests.WaitForAsync(ns.Name, "web", s => s.Phase == "Healthy" && s.AvailableReplicas == 2, fledge);

        RollingUpdateTests.Apply(ns.Name, RollingUpdateTests.Rollout("broken", replicas: 2).Replace("replicas: 2", "replicas: 2\n  progressDeadlineSeconds: 10", StringComparison.Ordinal));

        var status = await RollingUpdateTests.WaitForAsync(ns.Name, "web", s => s.Conditions.Any(c => c.Type == "Progressing" && c.Status == "False"), fledge, seconds: 60);
        var progressing = status.Conditions.Single(c => c.Type == "Progressing");
        progressing.Reason.ShouldBe("ProgressDeadlineExceeded");
        progressing.Message.ShouldMatch("ReplicaSet \"web-[a-z0-9]+\" has timed out progressing.");
        status.Phase.ShouldBe("Degraded");
        status.AvailableReplicas.ShouldBe(2, "maxUnavailable 0 keeps both old replicas");
        string.Create(CultureInfo.InvariantCulture, $"{status.UpdatedReplicas}").ShouldBe("1");
    }
}

/// <summary>Runs alone, after the others: it takes the API server away from every test.</summary>
[CollectionDefinition(nameof(ApiServerRestartTests), DisableParallelization = true)]
public sealed class ApiServerRestartCollection;

/// <summary>The API server restarted under the operator: it lists and watches again, holds the Lease again, and finishes.</summary>
[Collection(nameof(ApiServerRestartTests))]
public sealed class ApiServerRestartTests
{
    [Fact(Timeout = 300_000)]
    public async Task ApiServerRestartedUnderTheOperator_ItReconnectsAndFinishesTheRollout()
    {
        using var client = ControlPlane.Client();
        using var ns = ControlPlane.Namespace("apiserver");
        await using var kubelet = new TestKubelet(client, ns.Name, TimeSpan.FromMilliseconds(500));
        await using var fledge = await OperatorProcess.StartAsync(ns.Name);
        RollingUpdateTests.Apply(ns.Name, RollingUpdateTests.Rollout("v1", replicas: 4));
        await RollingUpdateTests.WaitForAsync(ns.Name, "web", s => s.Phase == "Healthy" && s.AvailableReplicas == 4, fledge);

        // When the API server goes away for a while in the middle of an update, and comes back
        RollingUpdateTests.Apply(ns.Name, RollingUpdateTests.Rollout("v2", replicas: 4));
        await Task.Delay(800, TestContext.Current.CancellationToken);
        await ControlPlane.RestartApiServerAsync(down: TimeSpan.FromSeconds(3));

        // Then the operator lists and watches again and finishes the update: one ReplicaSet per revision
        await RollingUpdateTests.WaitForAsync(ns.Name, "web", s => s.ObservedGeneration == 2 && s.Phase == "Healthy" && s.UpdatedReplicas == 4 && s.AvailableReplicas == 4 && s.Replicas == 4, fledge, seconds: 120);
        (await client.AppsV1.ListNamespacedReplicaSetAsync(ns.Name, cancellationToken: TestContext.Current.CancellationToken)).Items.Count.ShouldBe(2);
        fledge.Output.ShouldContain("list/watch failed");
    }
}
