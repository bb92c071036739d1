namespace Fledge.EndToEnd.Tests;

/// <summary>
/// The fault matrix, disks: the data directory's file system fills up, or fails read-only, in the middle of a
/// rollout. A change that cannot be stored is refused with the file system's reason (exit 3) and changes nothing;
/// the runtime keeps serving what it runs; once the disk is back, the same change goes through; nothing stored is lost.
/// </summary>
public sealed class DiskFaultTests
{
    [Fact(Timeout = 300_000)]
    public async Task DiskFull_DuringARollout_RefusesChangesWithTheReason_KeepsServing_AndGoesOnOnceFreed()
    {
        using var disk = TestFileSystem.Tmpfs("48m");
        await using var runtime = await RuntimeProcess.StartAsync(Path.Combine(disk.MountPoint, "data"));
        var port = RuntimeProcess.FreePort();
        runtime.Apply(Hello(0) + "\n---\n" + Manifests.Service(port));
        runtime.WaitForRollout("hello");

        // When the disk is full (changes that still fit in SQLite's pages go through, as they should: they are stored)
        var filler = disk.Fill();
        var round = 0;
        (int ExitCode, string Output, string Error) refused = (0, "", "");
        while (round < 50)
        {
            round++;
            refused = ApplyFile(runtime, Hello(round));
            if (refused.ExitCode != 0)
            {
                break;
            }
        }

        // Then a change is refused with the reason and the way out, and nothing of it is kept
        refused.ExitCode.ShouldBe(3, $"{refused.Output}{refused.Error}");
        refused.Error.ShouldContain("no space left on device");
        refused.Error.ShouldContain("nothing was changed: free space on its file system and try again");
        refused.Error.ShouldNotContain("   at ");
        var json = runtime.Fledge("get", "rollout", "hello", "-o", "json");
        json.ExitCode.ShouldBe(0, json.Error);
        json.Output.ShouldNotContain($"round {round} v");

        // And the runtime keeps serving, and answering
        using var http = new HttpClient();
        for (var i = 0; i < 20; i++)
        {
            (await http.GetStringAsync(new Uri($"http://127.0.0.1:{port}/"), TestContext.Current.CancellationToken)).ShouldBe("Hello World!\n");
        }

        runtime.Fledge("get", "pods").ExitCode.ShouldBe(0);

        // Once space is freed, the same change goes through and is rolled out; after a restart it is all still there
        File.Delete(filler);
        ApplyFile(runtime, Hello(round)).ExitCode.ShouldBe(0);
        runtime.WaitForRollout("hello");
        (await runtime.StopAsync()).ShouldBe(0);
        await runtime.RestartAsync();
        runtime.WaitForRollout("hello");
        runtime.Fledge("rollout", "history", "hello").Output.Trim().Split('\n')[^1].ShouldContain($"round {round}");
        runtime.Output.ShouldNotContain("Unhandled exception");
    }

    [Fact(Timeout = 300_000)]
    public async Task ReadOnlyFileSystem_DuringARollout_RefusesChangesWithTheReason_StopsCleanly_AndLosesNothing()
    {
        using var disk = TestFileSystem.Ext4("64M");
        var data = Path.Combine(disk.MountPoint, "data");
        await using var runtime = await RuntimeProcess.StartAsync(data);
        var port = RuntimeProcess.FreePort();
        runtime.Apply(Hello(0) + "\n---\n" + Manifests.Service(port));
        runtime.WaitForRollout("hello");
        runtime.Apply(Hello(1));

        // When the file system fails read-only in the middle of the rollout
        disk.Abort();
        var refused = ApplyFile(runtime, Hello(2));

        // Then the change is refused with the reason, the runtime goes on serving, and stops cleanly
        refused.ExitCode.ShouldBe(3, $"{refused.Output}{refused.Error}");
        refused.Error.ShouldContain("read-only file system");
        refused.Error.ShouldContain("nothing was changed");
        using var http = new HttpClient();
        for (var i = 0; i < 20; i++)
        {
            (await http.GetAsync(new Uri($"http://127.0.0.1:{port}/"), TestContext.Current.CancellationToken)).StatusCode.ShouldBe(System.Net.HttpStatusCode.OK);
        }

        (await runtime.StopAsync()).ShouldBe(0, runtime.Output);
        RuntimeProcess.ReplicaProcesses(data).ShouldBeEmpty("the replicas stop with the runtime, disk or no disk");

        // And with the disk back, what was stored before the failure is all there: round 1 rolls out, round 2 never happened
        disk.Remount();
        await runtime.RestartAsync();
        runtime.WaitForRollout("hello");
        var history = runtime.Fledge("rollout", "history", "hello").Output;
        history.Trim().Split('\n')[^1].ShouldContain("round 1");
        history.ShouldNotContain("round 2");
        (await runtime.StopAsync()).ShouldBe(0);
    }

    private static string Hello(int round) => FaultMatrix.Round(round, replicas: 2);

    /// <summary>Applies from a file outside the (full or broken) data directory.</summary>
    private static (int ExitCode, string Output, string Error) ApplyFile(RuntimeProcess runtime, string yaml)
    {
        var path = Path.Combine(Path.GetTempPath(), $"fledge-apply-{Guid.NewGuid():N}.yaml");
        File.WriteAllText(path, yaml);
        try
        {
            return runtime.Fledge("apply", "-f", path);
        }
        finally
        {
            File.Delete(path);
        }
    }
}
