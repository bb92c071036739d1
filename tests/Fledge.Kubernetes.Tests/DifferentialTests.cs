using System.Collections.Concurrent;
using System.Globalization;
using System.Text.Json;
using k8s;
using k8s.Models;

namespace Fledge.Kubernetes.Tests;

/// <summary>
/// Fidelity against the real Deployment controller: the same manifest runs as an apps/v1 Deployment (through
/// kube-controller-manager's Deployment controller) and as a Rollout (through Fledge's operator), side by side on the
/// same API server. Their kubelets step in lock-step: wait until both controllers are quiet, then make the
/// longest-waiting pod ready on each side (one at a time: a batch reaches a controller in parts, at times of its own).
/// The sequence of ReplicaSet scalings (by revision) and the final status must be the same.
/// </summary>
public abstract class DifferentialTests
{
    /// <summary>The scenarios of one of three groups: each group is a test class, so the groups run side by side.</summary>
    protected static TheoryData<string> Group(int group) => new(Scenario.All.Keys.Where((_, i) => i % 3 == group));

    protected static async Task RunAsync(string name)
    {
        var scenario = Scenario.All[name];
        using var client = ControlPlane.Client();
        using var deploymentNs = ControlPlane.Namespace("diff-k8s");
        using var rolloutNs = ControlPlane.Namespace("diff-fledge");
        await using var deploymentKubelet = new TestKubelet(client, deploymentNs.Name, manual: true);
        await using var rolloutKubelet = new TestKubelet(client, rolloutNs.Name, manual: true);
        await using var deploymentScalings = new ScalingRecorder(client, deploymentNs.Name);
        await using var rolloutScalings = new ScalingRecorder(client, rolloutNs.Name);
        await using var fledge = await OperatorProcess.StartAsync(rolloutNs.Name);
        (string Kind, string Ns)[] sides = [("deployment", deploymentNs.Name), ("rollout", rolloutNs.Name)];

        foreach (var (version, replicas, steps, command) in scenario.Changes)
        {
            foreach (var side in sides)
            {
                if (command is not null)
                {
                    Command(side.Kind, side.Ns, command);
                }
                else
                {
                    RollingUpdateTests.Apply(side.Ns, scenario.Manifest(side.Kind, version!, replicas));
                }
            }

            // Step both until both are done (or stuck the same way), or for the steps given before the next change
            for (var step = 0; steps is null || step < steps; step++)
            {
                step.ShouldBeLessThan(100, $"{name}: no end after 100 steps\ndeployment: {deploymentScalings}\nrollout:    {rolloutScalings}\n{fledge.Output}");
                await QuietAsync(client, deploymentNs.Name, rolloutNs.Name, deploymentKubelet, rolloutKubelet, scenario.Quiet);
                if ((await DoneAsync(client, "deployment", deploymentNs.Name, replicas) && await DoneAsync(client, "rollout", rolloutNs.Name, replicas))
                    || (deploymentKubelet.Waiting == 0 && rolloutKubelet.Waiting == 0))
                {
                    break;
                }

                await Task.WhenAll(deploymentKubelet.ReadyOneAsync(), rolloutKubelet.ReadyOneAsync());
            }
        }

        // A scenario that ends in a condition (the progress deadline) waits for both sides to reach it
        var until = DateTime.UtcNow.AddSeconds(60);
        while (scenario.Until is { } reason && DateTime.UtcNow < until
            && !((await StatusAsync(client, "deployment", deploymentNs.Name)).Conditions.Any(c => c.Reason == reason)
                && (await StatusAsync(client, "rollout", rolloutNs.Name)).Conditions.Any(c => c.Reason == reason)))
        {
            await Task.Delay(250, TestContext.Current.CancellationToken);
        }

        var (deployment, rollout) = (await StatusAsync(client, "deployment", deploymentNs.Name), await StatusAsync(client, "rollout", rolloutNs.Name));
        (await Revisions(client, rolloutNs.Name)).ShouldBe(await Revisions(client, deploymentNs.Name), $"{name}: the ReplicaSets kept differ");
        TestContext.Current.SendDiagnosticMessage($"{name}: {deploymentScalings}");
        rolloutScalings.ToString().ShouldBe(deploymentScalings.ToString(), $"{name}: the ReplicaSet scalings differ\n{fledge.Output}");
        (rollout.Replicas, rollout.UpdatedReplicas, rollout.ReadyReplicas, rollout.AvailableReplicas)
            .ShouldBe((deployment.Replicas, deployment.UpdatedReplicas, deployment.ReadyReplicas, deployment.AvailableReplicas));
        rollout.Conditions.Select(c => $"{c.Type}={c.Status} {c.Reason}").Order()
            .ShouldBe(deployment.Conditions.Select(c => $"{c.Type}={c.Status} {c.Reason}").Order(), $"{name}: the conditions differ");
    }

    /// <summary>pause, resume, undo or "undo N" on one side: kubectl on the Deployment, fledge on the Rollout, as their users type them.</summary>
    private static void Command(string kind, string ns, string command)
    {
        var words = command.Split(' ');
        string[] arguments = words.Length > 1 ? [words[0], "--to-revision", words[1]] : [words[0]];
        var (code, output, error) = kind == "deployment"
            ? ControlPlane.Kubectl(["rollout", arguments[0], "deployment/app", "-n", ns, .. arguments.Skip(1)])
            : ClusterCliTests.Fledge(ns, ["rollout", arguments[0], "app", .. arguments.Skip(1)]) is var r ? (r.Code, r.Output, r.Error) : default;
        code.ShouldBe(0, $"{kind}: {command}: {output}\n{error}");
    }

    /// <summary>The ReplicaSets a namespace keeps, by revision, with their sizes ("r1=0, r2=4").</summary>
    private static async Task<string> Revisions(IKubernetes client, string ns)
    {
        var sets = await client.AppsV1.ListNamespacedReplicaSetAsync(ns, cancellationToken: TestContext.Current.CancellationToken);
        return string.Join(", ", sets.Items.Where(rs => rs.Metadata.DeletionTimestamp is null)
            .Select(rs => (Revision: int.Parse(rs.Metadata.Annotations["deployment.kubernetes.io/revision"], CultureInfo.InvariantCulture), rs.Spec.Replicas))
            .OrderBy(r => r.Revision).Select(r => $"r{r.Revision}={r.Replicas}"));
    }

    /// <summary>Waits until neither side's ReplicaSets, pods nor waiting pods changed for <paramref name="quiet"/>.</summary>
    private static async Task QuietAsync(IKubernetes client, string a, string b, TestKubelet first, TestKubelet second, TimeSpan quiet)
    {
        string? last = null;
        var since = DateTime.UtcNow;
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (DateTime.UtcNow < deadline)
        {
            var state = string.Join("|", await Task.WhenAll(Snapshot(client, a), Snapshot(client, b))) + $"|{first.Waiting}|{second.Waiting}";
            if (state != last)
            {
                (last, since) = (state, DateTime.UtcNow);
            }
            else if (DateTime.UtcNow - since > quiet)
            {
                return;
            }

            await Task.Delay(100, TestContext.Current.CancellationToken);
        }
    }

    private static async Task<string> Snapshot(IKubernetes client, string ns)
    {
        var sets = await client.AppsV1.ListNamespacedReplicaSetAsync(ns, cancellationToken: TestContext.Current.CancellationToken);
        var pods = await client.CoreV1.ListNamespacedPodAsync(ns, cancellationToken: TestContext.Current.CancellationToken);
        return string.Join(",", sets.Items.OrderBy(rs => rs.Metadata.Name).Select(rs => $"{rs.Metadata.Name}={rs.Spec.Replicas}/{rs.Status?.Replicas}/{rs.Status?.AvailableReplicas}"))
            + $";pods={pods.Items.Count}";
    }

    private static async Task<bool> DoneAsync(IKubernetes client, string kind, string ns, int replicas)
    {
        var status = await StatusAsync(client, kind, ns);
        return status.Replicas == replicas && status.UpdatedReplicas == replicas && status.AvailableReplicas == replicas;
    }

    /// <summary>The Deployment's or the Rollout's status, read in-process (a poll must not cost a kubectl process).</summary>
    private static async Task<ObservedStatus> StatusAsync(IKubernetes client, string kind, string ns)
    {
        if (kind == "rollout")
        {
            return await RollingUpdateTests.StatusAsync(client, ns, "app") ?? new ObservedStatus(0, 0, 0, 0, 0, null, []);
        }

        var deployment = await client.AppsV1.ReadNamespacedDeploymentAsync("app", ns, cancellationToken: TestContext.Current.CancellationToken);
        var status = JsonSerializer.Deserialize<ObservedStatus>(KubernetesJson.Serialize(deployment.Status), Json)!;
        return status with { Conditions = status.Conditions ?? [] };
    }

    private static readonly JsonSerializerOptions Json = new() { PropertyNameCaseInsensitive = true };
}

/// <summary>The first third of the scenarios (see <see cref="DifferentialTests"/>).</summary>
public sealed class DifferentialTestsA : DifferentialTests
{
    public static TheoryData<string> Names => Group(0);

    [Theory(Timeout = 300_000)]
    [MemberData(nameof(Names))]
    public Task SameManifest_ScalesReplicaSetsAsTheDeploymentControllerDoes(string name) => RunAsync(name);
}

/// <summary>The second third of the scenarios.</summary>
public sealed class DifferentialTestsB : DifferentialTests
{
    public static TheoryData<string> Names => Group(1);

    [Theory(Timeout = 300_000)]
    [MemberData(nameof(Names))]
    public Task SameManifest_ScalesReplicaSetsAsTheDeploymentControllerDoes(string name) => RunAsync(name);
}

/// <summary>The last third of the scenarios.</summary>
public sealed class DifferentialTestsC : DifferentialTests
{
    public static TheoryData<string> Names => Group(2);

    [Theory(Timeout = 300_000)]
    [MemberData(nameof(Names))]
    public Task SameManifest_ScalesReplicaSetsAsTheDeploymentControllerDoes(string name) => RunAsync(name);
}

/// <summary>One change of a scenario: a version applied with a replica count, or a command (pause, resume, undo, "undo N").</summary>
internal sealed record Change(string? Version, int Replicas, int? Steps = null, string? Command = null)
{
    public static implicit operator Change((string Version, int Replicas) applied) => new(applied.Version, applied.Replicas);

    public static implicit operator Change((string Version, int Replicas, int? Steps) applied) => new(applied.Version, applied.Replicas, applied.Steps);

    /// <summary>A command, then the steps until both sides are done (or as many as given).</summary>
    public static Change Run(string command, int replicas, int? steps = null) => new(null, replicas, steps, command);

    public void Deconstruct(out string? version, out int replicas, out int? steps, out string? command) =>
        (version, replicas, steps, command) = (Version, Replicas, Steps, Command);
}

/// <summary>
/// One scenario: a strategy (and other spec fields) and the changes made one after the other, each when the last is
/// done, or after the number of steps given (a change in the middle of a rollout). A scenario may end in a condition
/// both sides must reach (<see cref="Until"/>), and wait longer for quiet (minReadySeconds).
/// </summary>
internal sealed record Scenario(string Strategy, Change[] Changes, string Fields = "", string? Until = null, int MinReadySeconds = 0)
{
    /// <summary>How long both sides must be unchanged before the next pod is made ready: a second, beyond minReadySeconds.</summary>
    public TimeSpan Quiet => TimeSpan.FromSeconds(1 + MinReadySeconds);

    public static IReadOnlyDictionary<string, Scenario> All { get; } = new Dictionary<string, Scenario>
    {
        ["surge 1, unavailable 0"] = new(Rolling("1", "0"), [("v1", 4), ("v2", 4)]),
        ["surge 0, unavailable 1"] = new(Rolling("0", "1"), [("v1", 4), ("v2", 4)]),
        ["surge 2, unavailable 2"] = new(Rolling("2", "2"), [("v1", 5), ("v2", 5)]),
        ["25% and 25% of 8"] = new(Rolling("25%", "25%"), [("v1", 8), ("v2", 8)]),
        ["30% and 30% of 10 (surge rounds up, unavailable down)"] = new(Rolling("30%", "30%"), [("v1", 10), ("v2", 10)]),
        ["surge 50% of 3"] = new(Rolling("50%", "0"), [("v1", 3), ("v2", 3)]),
        ["Recreate"] = new("type: Recreate", [("v1", 3), ("v2", 3)]),
        ["new version and more replicas at once"] = new(Rolling("1", "1"), [("v1", 4), ("v2", 6)]),
        ["three versions"] = new(Rolling("1", "0"), [("v1", 2), ("v2", 2), ("v3", 2)]),
        ["scaled from 4 to 8 in the middle of a rollout (proportional scaling)"] = new(Rolling("2", "1"), [("v1", 4, null), ("v2", 4, 2), ("v2", 8, null)]),
        ["a third version in the middle of a rollout"] = new(Rolling("1", "1"), [("v1", 4, null), ("v2", 4, 2), ("v3", 4, null)]),
        ["one replica, surge 1, unavailable 1"] = new(Rolling("1", "1"), [("v1", 1), ("v2", 1)]),
        ["surge 0, unavailable 25% of 4"] = new(Rolling("0", "25%"), [("v1", 4), ("v2", 4)]),
        ["a version that never becomes ready, to ProgressDeadlineExceeded"] =
            new(Rolling("1", "0"), [("v1", 3), ("broken", 3)], "progressDeadlineSeconds: 5", Until: "ProgressDeadlineExceeded"),
        ["paused, a new version applied, resumed"] = new(Rolling("1", "1"), [("v1", 4), Change.Run("pause", 4), ("v2", 4), Change.Run("resume", 4)]),
        ["paused in the middle of a rollout, resumed"] = new(Rolling("1", "0"), [("v1", 4, null), ("v2", 4, 2), Change.Run("pause", 4), Change.Run("resume", 4)]),
        ["undo (the previous revision comes back renumbered)"] = new(Rolling("1", "0"), [("v1", 3), ("v2", 3), Change.Run("undo", 3)]),
        ["undo to revision 1 of 3"] = new(Rolling("1", "1"), [("v1", 3), ("v2", 3), ("v3", 3), Change.Run("undo 1", 3)]),
        ["revisionHistoryLimit 1 (older ReplicaSets deleted)"] = new(Rolling("1", "0"), [("v1", 2), ("v2", 2), ("v3", 2)], "revisionHistoryLimit: 1"),
        ["minReadySeconds 2"] = new(Rolling("1", "1"), [("v1", 3), ("v2", 3)], "minReadySeconds: 2", MinReadySeconds: 2),
    };

    private static string Rolling(string surge, string unavailable) =>
        $"type: RollingUpdate\n    rollingUpdate: {{maxSurge: {Quote(surge)}, maxUnavailable: {Quote(unavailable)}}}";

    private static string Quote(string value) => value.EndsWith('%') ? $"\"{value}\"" : value;

    public string Manifest(string kind, string version, int replicas) => string.Create(CultureInfo.InvariantCulture, $"""
        apiVersion: {(kind == "deployment" ? "apps/v1" : "fledge.io/v1alpha1")}
        kind: {(kind == "deployment" ? "Deployment" : "Rollout")}
        metadata:
          name: app
        spec:
          replicas: {replicas}
          {Fields}
          selector:
            matchLabels: {"{"}app: app{"}"}
          strategy:
            {Strategy}
          template:
            metadata:
              labels: {"{"}app: app{"}"}
            spec:
              containers:
              - name: app
                image: registry.example/app:{version}
        """);
}

/// <summary>Every change of a ReplicaSet's spec.replicas in a namespace, in order, by revision ("r2 0→1").</summary>
internal sealed class ScalingRecorder : IAsyncDisposable
{
    private readonly ConcurrentQueue<string> _scalings = new();
    private readonly Dictionary<string, int> _last = new(StringComparer.Ordinal);
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _watch;

    public ScalingRecorder(IKubernetes client, string ns) => _watch = Task.Run(async () =>
    {
        try
        {
            await foreach (var (type, rs) in client.AppsV1.WatchListNamespacedReplicaSetAsync(ns, cancellationToken: _stop.Token))
            {
                if (type is not (WatchEventType.Added or WatchEventType.Modified))
                {
                    continue;
                }

                var revision = rs.Metadata.Annotations is { } annotations && annotations.TryGetValue("deployment.kubernetes.io/revision", out var text) ? text : "?";
                var replicas = rs.Spec.Replicas ?? 0;
                var had = _last.TryGetValue(rs.Metadata.Name, out var before);
                _last[rs.Metadata.Name] = replicas;
                // A ReplicaSet made with 0 and scaled next is the same move as one made at its size.
                if ((had && before != replicas) || (!had && replicas > 0))
                {
                    _scalings.Enqueue($"r{revision} {(had ? before : 0)}→{replicas}");
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
    });

    public override string ToString() => string.Join(", ", _scalings);

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        try
        {
            await _watch;
        }
        catch (Exception e) when (e is OperationCanceledException or HttpRequestException or IOException)
        {
        }

        _stop.Dispose();
    }
}
