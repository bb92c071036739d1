using System.Globalization;

namespace Fledge.EndToEnd.Tests;

/// <summary>
/// Argo's spec.restartAt on the real runtime: every replica created before the time is replaced, one at a time and only
/// while the others are ready, with no new revision; users of the Service see no failure; status.restartedAt records it.
/// </summary>
public sealed class RestartAtTests
{
    [Fact(Timeout = 240_000)]
    public async Task RestartAt_ReplacesEveryOlderReplicaOneAtATime_WithoutANewRevisionOrAFailedRequest()
    {
        await using var runtime = await RuntimeProcess.StartAsync();
        var port = RuntimeProcess.FreePort();
        var rollout = Manifests.Hello("v1", replicas: 3);
        runtime.Apply(rollout + "\n---\n" + Manifests.Service(port));
        runtime.WaitForRollout("hello");
        var before = RuntimeProcess.ReplicaProcesses(runtime.DataDirectory);
        before.Count.ShouldBe(3);
        await using var load = new ServiceLoad(port, workers: 4, pause: TimeSpan.FromMilliseconds(5));

        var restartAt = DateTime.UtcNow.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture);
        runtime.Apply(rollout.Replace("  replicas: 3\n", $"  replicas: 3\n  restartAt: \"{restartAt}\"\n", StringComparison.Ordinal));
        await RestartTests.WaitUntilAsync(() => runtime.Fledge("get", "rollout", "hello", "-o", "json").Output.Contains("\"restartedAt\"", StringComparison.Ordinal), 120);
        await load.StopAsync();

        var after = RuntimeProcess.ReplicaProcesses(runtime.DataDirectory);
        after.Count.ShouldBe(3);
        after.Intersect(before).ShouldBeEmpty("every replica created before restartAt was replaced");
        var events = runtime.Fledge("get", "events").Output;
        events.Split('\n').Count(l => l.Contains("RestartingPod", StringComparison.Ordinal)).ShouldBe(3);
        events.ShouldContain("RestartedPods");
        runtime.Fledge("rollout", "history", "hello").Output.Split('\n').Count(l => l.Contains("fledge/hello:v1", StringComparison.Ordinal)).ShouldBe(1, "no new revision");
        load.Results.Count.ShouldBeGreaterThan(100);
        load.Results.ShouldAllBe(r => r.Status == 200, "users saw no failure while the replicas were replaced");
    }
}
