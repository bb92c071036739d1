using System.Text;
using System.Text.RegularExpressions;
using k8s;

namespace Fledge.Kubernetes.Tests;

/// <summary>
/// The operator as deploy/kubernetes installs it, with its ServiceAccount's own token: what deploy/ grants is enough
/// to roll out (ReplicaSets, status, Events, the Lease in fledge-system), and what it does not grant is refused.
/// </summary>
public sealed class RbacTests
{
    [Fact(Timeout = 300_000)]
    public async Task OperatorWithItsServiceAccount_RollsOut_AndIsRefusedWhatDeployDoesNotGrant()
    {
        using var client = ControlPlane.Client();
        using var ns = ControlPlane.Namespace("rbac");
        var kubeconfig = await ServiceAccountKubeconfigAsync(client);
        try
        {
            await using var kubelet = new TestKubelet(client, ns.Name);
            await using var fledge = await OperatorProcess.StartAsync(ns.Name, kubeconfig: kubeconfig, leaseNamespace: "fledge-system");

            RollingUpdateTests.Apply(ns.Name, RollingUpdateTests.Rollout("v1", replicas: 2));
            await RollingUpdateTests.WaitForAsync(ns.Name, "web", s => s.Phase == "Healthy" && s.AvailableReplicas == 2, fledge);
            RollingUpdateTests.Apply(ns.Name, RollingUpdateTests.Rollout("v2", replicas: 2));
            await RollingUpdateTests.WaitForAsync(ns.Name, "web", s => s.ObservedGeneration == 2 && s.Phase == "Healthy" && s.UpdatedReplicas == 2, fledge);
            fledge.Output.ShouldNotContain("forbidden", Case.Insensitive);

            // What deploy/ does not grant the operator is refused by the API server
            foreach (var forbidden in new[]
            {
                new[] { "delete", "rollouts.fledge.io", "web", "-n", ns.Name },
                ["get", "secrets", "-n", "fledge-system"],
                ["create", "deployment", "intruder", "--image=x", "-n", ns.Name],
                ["get", "leases", "-n", ns.Name],
            })
            {
                var (code, _, error) = ControlPlane.KubectlAs(kubeconfig, forbidden);
                code.ShouldNotBe(0, string.Join(' ', forbidden));
                error.ShouldContain("forbidden", Case.Insensitive, string.Join(' ', forbidden));
            }
        }
        finally
        {
            File.Delete(kubeconfig);
        }
    }

    /// <summary>
    /// Argo's restartAt, by the operator with its own ServiceAccount: every pod created before the time is evicted (one at a
    /// time, while the others are ready) and replaced by its ReplicaSet, no new ReplicaSet is made, and status.restartedAt
    /// says it is done.
    /// </summary>
    [Fact(Timeout = 300_000)]
    public async Task RestartAt_EvictsEveryOlderPodOneAtATime_WithTheGrantsOfDeploy()
    {
        using var client = ControlPlane.Client();
        using var ns = ControlPlane.Namespace("restart-at");
        var kubeconfig = await ServiceAccountKubeconfigAsync(client);
        try
        {
            await using var kubelet = new TestKubelet(client, ns.Name);
            await using var fledge = await OperatorProcess.StartAsync(ns.Name, kubeconfig: kubeconfig, leaseNamespace: "fledge-system");
            RollingUpdateTests.Apply(ns.Name, RollingUpdateTests.Rollout("v1", replicas: 2));
            await RollingUpdateTests.WaitForAsync(ns.Name, "web", s => s.Phase == "Healthy" && s.AvailableReplicas == 2, fledge);
            var before = (await client.CoreV1.ListNamespacedPodAsync(ns.Name, cancellationToken: TestContext.Current.CancellationToken)).Items.Select(p => p.Metadata.Name).ToList();
            before.Count.ShouldBe(2);
            await Task.Delay(1100, TestContext.Current.CancellationToken);

            var restartAt = DateTime.UtcNow.ToString("yyyy-MM-ddTHH:mm:ssZ", System.Globalization.CultureInfo.InvariantCulture);
            ControlPlane.Kubectl("patch", "-n", ns.Name, "rollouts.fledge.io/web", "--type=merge", "-p", $"{{\"spec\":{{\"restartAt\":\"{restartAt}\"}}}}").Code.ShouldBe(0);
            await RollingUpdateTests.WaitForAsync(ns.Name, "web", s => s.RestartedAt is not null && s.AvailableReplicas == 2, fledge);

            var after = (await client.CoreV1.ListNamespacedPodAsync(ns.Name, cancellationToken: TestContext.Current.CancellationToken)).Items
                .Where(p => p.Metadata.DeletionTimestamp is null).Select(p => p.Metadata.Name).ToList();
            after.Count.ShouldBe(2);
            after.Intersect(before).ShouldBeEmpty("every pod created before restartAt was replaced");
            (await client.AppsV1.ListNamespacedReplicaSetAsync(ns.Name, cancellationToken: TestContext.Current.CancellationToken)).Items.Count.ShouldBe(1, "no new revision");
            var events = ControlPlane.Kubectl("get", "events", "-n", ns.Name).Output;
            events.Split('\n').Count(l => l.Contains("RestartingPod", StringComparison.Ordinal)).ShouldBe(2);
            fledge.Output.ShouldNotContain("forbidden", Case.Insensitive);
        }
        finally
        {
            File.Delete(kubeconfig);
        }
    }

    /// <summary>A kubeconfig for the API server with the fledge-operator ServiceAccount's token instead of the admin's.</summary>
    private static async Task<string> ServiceAccountKubeconfigAsync(IKubernetes client)
    {
        string? token = null;
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (token is null && DateTime.UtcNow < deadline)
        {
            var secrets = await client.CoreV1.ListNamespacedSecretAsync("fledge-system", cancellationToken: TestContext.Current.CancellationToken);
            var secret = secrets.Items.FirstOrDefault(s => s.Type == "kubernetes.io/service-account-token"
                && s.Metadata.Annotations is { } annotations && annotations.TryGetValue("kubernetes.io/service-account.name", out var account) && account == "fledge-operator" && s.Data?.ContainsKey("token") == true);
            token = secret is null ? null : Encoding.UTF8.GetString(secret.Data["token"]);
            if (token is null)
            {
                await Task.Delay(500, TestContext.Current.CancellationToken);
            }
        }

        token.ShouldNotBeNull("the token controller made no token for the fledge-operator ServiceAccount");
        var admin = await File.ReadAllTextAsync(ControlPlane.Kubeconfig, TestContext.Current.CancellationToken);
        var path = Path.Combine(Path.GetTempPath(), $"fledge-operator-{Guid.NewGuid():N}.kubeconfig");
        await File.WriteAllTextAsync(path, Regex.Replace(admin, "token: .*", $"token: {token}"), TestContext.Current.CancellationToken);
        File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        return path;
    }
}
