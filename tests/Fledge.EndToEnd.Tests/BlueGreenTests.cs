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
    [Fact(Timeout = 240_000)]
    public async Task BlueGreen_GetAndDescribe_SpeakBlueGreen_AndTheActiveServiceReachesOnlyTheActiveRevision()
    {
        await using var runtime = await RuntimeProcess.StartAsync();
        var (active, preview) = (RuntimeProcess.FreePort(), RuntimeProcess.FreePort());
        runtime.Apply(Rollout("v1", active, preview));
        runtime.WaitForRollout("hello");
        runtime.Apply(Rollout("v2", active, preview));
        await RestartTests.WaitUntilAsync(() => runtime.Fledge("get", "rollouts", "-o", "wide").Output.Contains("Paused", StringComparison.Ordinal));

        // get and describe name the active and preview revisions and the promotion, never a step or a weight
        var row = runtime.Fledge("get", "rollouts", "-o", "wide").Output.Split('\n').Single(l => l.StartsWith("hello ", StringComparison.Ordinal));
        row.ShouldContain("active 1, preview 2");
        row.ShouldNotContain("%");
        var described = runtime.Fledge("describe", "rollout", "hello").Output;
        described.ShouldMatch(@"Active:\s+hello-[a-z0-9]+ \(revision 1\), behind Service hello");
        described.ShouldMatch(@"Preview:\s+hello-[a-z0-9]+ \(revision 2\), behind Service hello-preview");
        described.ShouldMatch(@"Promotion:\s+waiting for `fledge rollout promote hello`");
        described.ShouldNotContain("weight", Case.Insensitive);
        described.ShouldNotContain("Canary");

        // the active Service's endpoints are the active revision's replicas only; the preview's, the preview's
        var pods = System.Text.Json.JsonDocument.Parse(runtime.Fledge("get", "pods", "-o", "json").Output).RootElement.GetProperty("items").EnumerateArray()
            .Select(p => (Revision: p.GetProperty("metadata").GetProperty("annotations").GetProperty("fledge.io/revision").GetString(),
                Address: "127.0.0.1:" + p.GetProperty("metadata").GetProperty("annotations").GetProperty("fledge.io/port").GetString()))
            .ToList();
        var services = runtime.Fledge("get", "services").Output.Split('\n');
        var activeRow = services.Single(l => l.StartsWith("hello ", StringComparison.Ordinal));
        var previewRow = services.Single(l => l.StartsWith("hello-preview ", StringComparison.Ordinal));
        pods.Where(p => p.Revision == "1").ShouldAllBe(p => activeRow.Contains(p.Address) && !previewRow.Contains(p.Address));
        pods.Where(p => p.Revision == "2").ShouldAllBe(p => previewRow.Contains(p.Address) && !activeRow.Contains(p.Address));

        // promoted: the old active revision is kept for scaleDownDelaySeconds, and describe counts it down
        runtime.Fledge("rollout", "promote", "hello").ExitCode.ShouldBe(0);
        await RestartTests.WaitUntilAsync(() => runtime.Fledge("describe", "rollout", "hello").Output.Contains("Scale down:", StringComparison.Ordinal), 30);
        runtime.Fledge("describe", "rollout", "hello").Output.ShouldMatch(@"Promotion:\s+promoted: revision 2 is active");
        runtime.WaitForRollout("hello");
        runtime.Fledge("get", "rollouts", "-o", "json").Output.ShouldContain("\"activeReplicaSet\"");
    }
}
