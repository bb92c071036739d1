namespace Fledge.EndToEnd.Tests;

/// <summary>
/// Blue-green on the real runtime: the preview answers on its own Service; the switch, and the rollback to the
/// old version while it is still up, drop no request.
/// </summary>
public sealed class BlueGreenTests
{
    private static string Rollout(string version, int activePort, int previewPort) =>
        File.ReadAllText(SampleFiles.PathOf($"blue-green/hello-bluegreen-{version}.yaml")).Replace("scaleDownDelaySeconds: 30", "scaleDownDelaySeconds: 5", StringComparison.Ordinal)
        + "\n---\n" + Manifests.Service(activePort) + "\n---\n" + Manifests.Service(previewPort, name: "hello-preview");

    [Fact(Timeout = 240_000)]
    public async Task BlueGreen_SwitchAndUndo_UnderLoad_DropNoRequest()
    {
        await using var runtime = await RuntimeProcess.StartAsync();
        var (active, preview) = (RuntimeProcess.FreePort(), RuntimeProcess.FreePort());
        runtime.Apply(Rollout("v1", active, preview));
        runtime.WaitForRollout("hello");

        await using var load = new ServiceLoad(active, workers: 4);
        var results = load.Results;
        using var http = new HttpClient();

        // v2 comes up as the preview: its own Service answers Howdy, users still get Hello
        runtime.Apply(Rollout("v2", active, preview));
        await RestartTests.WaitUntilAsync(() => runtime.Fledge("get", "rollouts", "-o", "wide").Output.Contains("Paused", StringComparison.Ordinal));
        (await http.GetStringAsync(new Uri($"http://127.0.0.1:{preview}/"), TestContext.Current.CancellationToken)).ShouldBe("Howdy World!\n");
        (await http.GetStringAsync(new Uri($"http://127.0.0.1:{active}/"), TestContext.Current.CancellationToken)).ShouldBe("Hello World!\n");

        // promote: every user request goes to v2 at once
        runtime.Fledge("rollout", "promote", "hello").ExitCode.ShouldBe(0);
        runtime.WaitForRollout("hello");
        var afterSwitch = results.Count;
        await RestartTests.WaitUntilAsync(() => results.Count > afterSwitch + 200);
        (await http.GetStringAsync(new Uri($"http://127.0.0.1:{active}/"), TestContext.Current.CancellationToken)).ShouldBe("Howdy World!\n");

        // roll back: v1 (still up for scaleDownDelaySeconds) is the preview again at once, and promoting it switches users back
        var rollbackStart = DateTime.UtcNow;
        runtime.Fledge("rollout", "undo", "hello").ExitCode.ShouldBe(0);
        await RestartTests.WaitUntilAsync(() => runtime.Fledge("get", "rollouts", "-o", "wide").Output.Contains("Paused", StringComparison.Ordinal));
        (await http.GetStringAsync(new Uri($"http://127.0.0.1:{preview}/"), TestContext.Current.CancellationToken)).ShouldBe("Hello World!\n");
        runtime.Fledge("rollout", "promote", "hello").ExitCode.ShouldBe(0);
        await RestartTests.WaitUntilAsync(() => http.GetStringAsync(new Uri($"http://127.0.0.1:{active}/"), TestContext.Current.CancellationToken).Result == "Hello World!\n");
        var rolledBack = DateTime.UtcNow - rollbackStart;
        var afterRollback = results.Count;
        await RestartTests.WaitUntilAsync(() => results.Count > afterRollback + 200);
        results.Where(r => r.At > rollbackStart + rolledBack + TimeSpan.FromMilliseconds(200)).ShouldAllBe(r => r.Body == "Hello World!\n");
        TestContext.Current.SendDiagnosticMessage($"blue-green rollback: users back on v1 {rolledBack.TotalSeconds:0.0}s after the undo");

        await load.StopAsync();
        results.Where(r => r.Status != 200).ShouldBeEmpty();
        results.Count.ShouldBeGreaterThan(500);
    }
}
