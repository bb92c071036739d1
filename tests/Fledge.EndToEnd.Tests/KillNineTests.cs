using System.Globalization;

namespace Fledge.EndToEnd.Tests;

/// <summary>
/// The fault matrix, kill -9: the runtime is SIGKILLed at seeded random points of a rolling update, a canary
/// analysis and a 40-replica start, and started again each time. Every time: the last applied spec is the one
/// rolled out (nothing answered is lost), the history has every revision, and the processes running are exactly
/// the pods the runtime lists (no orphan, no missing replica).
/// </summary>
public sealed class KillNineTests
{
    [Fact(Timeout = 600_000)]
    public async Task KillNine_AtSeededPointsOfARollingUpdate_RecoversEveryTime()
    {
        var random = new Random(FaultMatrix.Seed);
        await using var runtime = await RuntimeProcess.StartAsync();
        runtime.Apply(FaultMatrix.Round(0, replicas: 3));
        runtime.WaitForRollout("hello");

        var points = new List<int>();
        for (var round = 1; round <= 8; round++)
        {
            // Given a rolling update under way
            runtime.Apply(FaultMatrix.Round(round, replicas: 3));
            var at = random.Next(0, 3000);
            await Task.Delay(at, TestContext.Current.CancellationToken);

            // When the runtime is killed and started again
            runtime.Kill();
            await runtime.RestartAsync();

            // Then the update completes to what was applied, with every revision in the history, and no orphan
            runtime.WaitForRollout("hello");
            var history = runtime.Fledge("rollout", "history", "hello").Output;
            for (var earlier = Math.Max(0, round - 8); earlier <= round; earlier++)
            {
                history.ShouldContain($"round {earlier}", customMessage: $"killed {at} ms into round {round} (seed {FaultMatrix.Seed})");
            }

            history.Trim().Split('\n')[^1].ShouldContain($"round {round}");
            await FaultMatrix.NoOrphansAsync(runtime, expected: 3);
            points.Add(at);
        }

        TestContext.Current.SendDiagnosticMessage($"kill -9 during a rolling update (seed {FaultMatrix.Seed}): {points.Count} of 8 recovered, at {string.Join(", ", points)} ms");
        (await runtime.StopAsync()).ShouldBe(0);
        RuntimeProcess.ReplicaProcesses(runtime.DataDirectory).ShouldBeEmpty();
    }

    [Fact(Timeout = 600_000)]
    public async Task KillNine_AtSeededPointsOfACanaryAnalysis_ResumesTheAnalysisAndPromotes()
    {
        var random = new Random(FaultMatrix.Seed + 1);
        await using var runtime = await RuntimeProcess.StartAsync();
        var (stablePort, canaryPort) = (RuntimeProcess.FreePort(), RuntimeProcess.FreePort());
        runtime.Apply(CanaryManifests.ErrorRateTemplate(initialDelay: "1s") + "\n---\n" + Canary(0) + "\n---\n" + FaultMatrix.Services("hello", stablePort, canaryPort));
        runtime.WaitForRollout("hello");
        await using var load = new ServiceLoad(stablePort, workers: 2, pause: TimeSpan.FromMilliseconds(10));

        var points = new List<int>();
        for (var round = 1; round <= 5; round++)
        {
            // Given a canary whose analysis is measuring
            runtime.Apply(Canary(round));
            await RestartTests.WaitUntilAsync(() => runtime.Fledge("describe", "rollout", "hello").Output.Contains("Analysis (", StringComparison.Ordinal), 60);
            var at = random.Next(0, 4000);
            await Task.Delay(at, TestContext.Current.CancellationToken);

            // When the runtime is killed and started again
            runtime.Kill();
            await runtime.RestartAsync();

            // Then the analysis goes on where it was and the good version is promoted; nothing runs that is not a pod
            var (code, output, error) = runtime.Fledge("rollout", "status", "hello", "--timeout", "2m");
            code.ShouldBe(0, $"killed {at} ms into the analysis of round {round} (seed {FaultMatrix.Seed + 1})\n{output}\n{error}\n{runtime.Fledge("describe", "rollout", "hello").Output}");
            runtime.Fledge("get", "rollouts", "-o", "wide").Output.ShouldContain("Healthy");
            await FaultMatrix.NoOrphansAsync(runtime, expected: 2);
            points.Add(at);
        }

        await load.StopAsync();
        TestContext.Current.SendDiagnosticMessage($"kill -9 during a canary analysis (seed {FaultMatrix.Seed + 1}): {points.Count} of 5 recovered, at {string.Join(", ", points)} ms into the analysis");

        static string Canary(int round) => FaultMatrix.Canary("hello", round % 2 == 0 ? "v1" : "v2",
            ["- setWeight: 50", "- analysis: {templates: [{templateName: error-rate}], args: [{name: service, value: hello-canary}]}"], round: round.ToString(CultureInfo.InvariantCulture));
    }

    [Fact(Timeout = 600_000)]
    public async Task KillNine_AtSeededPointsOfAFortyReplicaStart_LeavesNoOrphan()
    {
        var random = new Random(FaultMatrix.Seed + 2);
        await using var runtime = await RuntimeProcess.StartAsync();

        var points = new List<int>();
        for (var round = 1; round <= 7; round++)
        {
            // Given 40 replicas starting
            var name = $"many-{round}";
            runtime.Apply(FaultMatrix.Command(name, 40));
            var at = random.Next(0, 1500);
            await Task.Delay(at, TestContext.Current.CancellationToken);

            // When the runtime is killed and started again
            runtime.Kill();
            await runtime.RestartAsync();

            // Then exactly the 40 replicas run, each a pod the runtime knows (the ones it started but had not yet
            // recorded are found by their marker and ended, the recorded ones adopted)
            runtime.WaitForRollout(name);
            await FaultMatrix.NoOrphansAsync(runtime, expected: 40);
            runtime.Fledge("delete", "deployment", name).ExitCode.ShouldBe(0);
            await FaultMatrix.NoOrphansAsync(runtime, expected: 0);
            points.Add(at);
        }

        TestContext.Current.SendDiagnosticMessage($"kill -9 during a 40-replica start (seed {FaultMatrix.Seed + 2}): {points.Count} of 7 recovered, at {string.Join(", ", points)} ms");
    }

}
