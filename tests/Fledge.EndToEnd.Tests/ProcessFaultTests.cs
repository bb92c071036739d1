using System.Diagnostics;

namespace Fledge.EndToEnd.Tests;

/// <summary>
/// The fault matrix, replicas that misbehave and sizes: a replica that ignores SIGTERM is killed at its grace
/// period, a replica's daemon (a child in a session of its own) ends with it, and 1,000 replicas or 50 rollouts
/// at once start, list and stop whole.
/// </summary>
public sealed class ProcessFaultTests
{
    [Fact(Timeout = 300_000)]
    public async Task ReplicasIgnoringSigtermOrLeavingADaemon_EndWhole_OnDeleteAndOnStop()
    {
        await using var runtime = await RuntimeProcess.StartAsync();
        // A shell that ignores SIGTERM (and its sleep with it), and one whose child leaves its session as a daemon does
        runtime.Apply(FaultMatrix.Command("stubborn", 2, "[\"sh\", \"-c\", \"trap '' TERM; sleep 3600 & wait\"]", gracePeriod: 2)
            + "\n---\n" + FaultMatrix.Command("daemon", 2, "[\"sh\", \"-c\", \"setsid sleep 3600 & exec sleep 3601\"]", gracePeriod: 2));
        runtime.WaitForRollout("stubborn");
        runtime.WaitForRollout("daemon");
        await RestartTests.WaitUntilAsync(() => RuntimeProcess.ReplicaProcesses(runtime.DataDirectory).Count == 8, 30);

        // When they are deleted, every process of theirs ends: SIGKILL after the grace period, the daemon with its cgroup
        var deleting = Stopwatch.StartNew();
        runtime.Fledge("delete", "deployment", "stubborn", "daemon").ExitCode.ShouldBe(0);
        await RestartTests.WaitUntilAsync(() => RuntimeProcess.ReplicaProcesses(runtime.DataDirectory).Count == 0, 30);
        var deleted = deleting.Elapsed;

        // And the same when the runtime stops with SIGTERM: it waits the grace period, not for ever
        runtime.Apply(FaultMatrix.Command("stubborn", 2, "[\"sh\", \"-c\", \"trap '' TERM; sleep 3600 & wait\"]", gracePeriod: 2, round: "1")
            + "\n---\n" + FaultMatrix.Command("daemon", 2, "[\"sh\", \"-c\", \"setsid sleep 3600 & exec sleep 3601\"]", gracePeriod: 2, round: "1"));
        runtime.WaitForRollout("stubborn");
        runtime.WaitForRollout("daemon");
        await RestartTests.WaitUntilAsync(() => RuntimeProcess.ReplicaProcesses(runtime.DataDirectory).Count == 8, 30);
        var stopping = Stopwatch.StartNew();
        (await runtime.StopAsync()).ShouldBe(0, runtime.Output);
        var stopped = stopping.Elapsed;
        RuntimeProcess.ReplicaProcesses(runtime.DataDirectory).ShouldBeEmpty("no daemon and no stubborn process outlives the runtime");
        TestContext.Current.SendDiagnosticMessage($"stubborn and daemon replicas (grace 2s): deleted in {deleted.TotalSeconds:0.0}s, runtime stopped in {stopped.TotalSeconds:0.0}s");
    }

    [Fact(Timeout = 600_000)]
    public async Task ThousandReplicas_AndFiftyRollouts_StartListAndStopWhole()
    {
        await using var runtime = await RuntimeProcess.StartAsync();

        // 1,000 replicas of one Deployment
        var starting = Stopwatch.StartNew();
        runtime.Apply(FaultMatrix.Command("many", 1000));
        runtime.WaitForRollout("many", "5m");
        var started = starting.Elapsed;
        await FaultMatrix.NoOrphansAsync(runtime, expected: 1000);
        var resident = FaultMatrix.ResidentMiB(runtime.Pid);
        runtime.Fledge("get", "deployment", "many", "-o", "jsonpath={.status.availableReplicas}").Output.ShouldBe("1000");
        runtime.Fledge("delete", "deployment", "many").ExitCode.ShouldBe(0);
        await FaultMatrix.NoOrphansAsync(runtime, expected: 0, seconds: 120);

        // 50 rollouts in one file
        var path = Path.Combine(runtime.DataDirectory, "fifty.yaml");
        File.WriteAllText(path, string.Join("\n---\n", Enumerable.Range(0, 50).Select(i => FaultMatrix.Command($"app-{i:00}", 2))));
        var applying = Stopwatch.StartNew();
        var (code, output, error) = runtime.Fledge("apply", "-f", path);
        code.ShouldBe(0, error);
        output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Length.ShouldBe(50);
        for (var i = 0; i < 50; i++)
        {
            runtime.WaitForRollout($"app-{i:00}");
        }

        var fifty = applying.Elapsed;
        await FaultMatrix.NoOrphansAsync(runtime, expected: 100);
        runtime.Fledge("get", "deployments", "-o", "name").Output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Length.ShouldBe(50);
        runtime.Fledge("delete", "-f", path).ExitCode.ShouldBe(0);
        await FaultMatrix.NoOrphansAsync(runtime, expected: 0);
        runtime.Output.ShouldNotContain("Unhandled exception");
        TestContext.Current.SendDiagnosticMessage(
            $"1,000 replicas available in {started.TotalSeconds:0.0}s, runtime resident memory {resident:0} MiB; 50 rollouts of 2 applied and complete in {fifty.TotalSeconds:0.0}s");
    }
}
