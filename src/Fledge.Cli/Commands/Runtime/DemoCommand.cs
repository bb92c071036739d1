using System.CommandLine;
using System.Globalization;
using System.Reflection;
using System.Runtime.InteropServices;
using Fledge.Cli.Client;
using Fledge.Cli.Output;
using Fledge.Local;
using Fledge.Local.Api;
using Microsoft.Extensions.Logging.Abstractions;
using Spectre.Console;

namespace Fledge.Cli.Commands.Runtime;

/// <summary>
/// `fledge demo`: in one process, starts the runtime on a temporary data directory, deploys hello v1 behind a
/// Service, drives steady traffic, rolls out v2 (maxSurge 1, maxUnavailable 0), reports how many requests
/// failed, shows the history, undoes to v1; then releases a good version by canary (promoted after its
/// analysis) and a bad one (rolled back by itself), draws the canaries' timeline as a PNG, and stops
/// everything it started.
/// </summary>
internal static class DemoCommand
{
    public static Command Create(CliContext context)
    {
        var timeline = new Option<string>("--timeline")
        {
            Description = "Where to write the canaries' timeline picture (PNG)",
            DefaultValueFactory = _ => Path.Combine(Path.GetTempPath(), "fledge-demo-timeline.png"),
        };
        var command = new Command("demo", "Watch releases for real: a zero-downtime rollout and undo, a good canary promoted and a bad one rolled back by itself (leaves nothing running)")
        {
            timeline,
        };
        command.SetAction(parse => RunAsync(context, Path.GetFullPath(parse.GetValue(timeline)!)).GetAwaiter().GetResult());
        return command;
    }

    private static async Task<int> RunAsync(CliContext context, string timelinePath)
    {
        var console = context.Console;
        var dataDirectory = Path.Combine(Path.GetTempPath(), $"fledge-demo-{Guid.NewGuid():N}");
        var port = FreePort();
        console.MarkupLine($"[bold]Fledge demo[/]: a runtime on [grey]{Markup.Escape(dataDirectory)}[/], the hello Service on [bold]http://127.0.0.1:{port}/[/]");
        int code;

        // Ctrl-C or SIGTERM mid-demo ends the demo where it is; the runtime then stops every replica before the process
        // ends (a second Ctrl-C while it does is ignored, so no replica is left behind).
        var interrupted = new TaskCompletionSource();
        void Interrupt(PosixSignalContext signal)
        {
            signal.Cancel = true;
            interrupted.TrySetResult();
        }

        using var sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, Interrupt);
        using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, Interrupt);
        await using (var runtime = await LocalRuntime.StartAsync(
            new RuntimeOptions(dataDirectory) { MetricsPort = 0, BuiltInImages = HelloCommand.BuiltInImages() }, NullLogger.Instance))
        {
            using var client = new ControlClient(dataDirectory);
            var demo = StepsAsync(context, client, port, timelinePath);
            if (await Task.WhenAny(demo, interrupted.Task) == interrupted.Task)
            {
                // The steps stop on their own once the runtime is gone; what they say then is of no interest.
                _ = demo.ContinueWith(t => t.Exception, TaskScheduler.Default);
                console.MarkupLine("\n[yellow]Interrupted[/]: stopping the demo's replicas...");
                code = 130;
            }
            else
            {
                code = await demo;
            }
        }

        TryDelete(dataDirectory);
        if (code == ExitCodes.Success)
        {
            console.MarkupLine("[green]Done.[/] Nothing is left running.");
        }

        return code;
    }

    /// <summary>Steps 1 to 8: the rolling update and undo under load, then the canaries.</summary>
    private static async Task<int> StepsAsync(CliContext context, ControlClient client, int port, string timelinePath)
    {
        var console = context.Console;
        var v1 = Manifest("hello-v1.yaml");
        var service = $"apiVersion: v1\nkind: Service\nmetadata:\n  name: hello\nspec:\n  selector:\n    app: hello\n  ports:\n  - port: {port}\n";

        console.MarkupLine("\n[bold]1.[/] Deploy hello v1: 5 replicas behind a Service");
        await ApplyAsync(console, client, v1, service);
        await FollowAsync(context, client, "hello");

        await using var load = new LoadGenerator(new Uri($"http://127.0.0.1:{port}/"), workers: 4, pause: TimeSpan.FromMilliseconds(2));
        await Task.Delay(1000);

        console.MarkupLine("\n[bold]2.[/] Roll out hello v2 (RollingUpdate, maxSurge 1, maxUnavailable 0) while clients keep sending requests");
        var before = load.Counts;
        await ApplyAsync(console, client, Manifest("hello-v2.yaml"));
        await FollowAsync(context, client, "hello", load);
        var rollout = load.Counts - before;
        Report(console, rollout);

        console.MarkupLine("\n[bold]3.[/] History");
        var history = await client.GetAsync<HistoryList>("v1/rollouts/hello/history");
        TextTable.Write(context, ObjectTables.History(history.Items), wide: false);

        console.MarkupLine("\n[bold]4.[/] Undo: back to v1 (it returns as revision 3), still under load");
        before = load.Counts;
        var undo = await client.PostAsync<MessageResponse>("v1/rollouts/hello/undo");
        console.MarkupLine(Markup.Escape(undo.Message));
        await FollowAsync(context, client, "hello", load);
        var back = load.Counts - before;
        Report(console, back);

        var canaries = await CanariesAsync(context, client, timelinePath);

        console.MarkupLine("\n[bold]8.[/] Stopping: replicas leave the Services first, then stop gracefully");
        var failed = rollout.Failed + back.Failed;
        if (failed > 0)
        {
            return context.Fail(ExitCodes.RolloutFailed, [$"{failed} requests failed during the demo's rollouts"]);
        }

        if (canaries is not null)
        {
            return context.Fail(ExitCodes.RolloutFailed, [canaries]);
        }

        return ExitCodes.Success;
    }

    /// <summary>
    /// Steps 5 to 7: the web Service released by canary with analysis: a good v2 promoted, a v3 failing 30% of
    /// its requests rolled back by itself, and the timeline picture. Null when both went as they should.
    /// </summary>
    private static async Task<string?> CanariesAsync(CliContext context, ControlClient client, string timelinePath)
    {
        var console = context.Console;
        var (port, canaryPort) = (FreePort(), FreePort());
        var manifest = Manifest("web-canary.yaml");
        string Version(string version, string? failRate = null) => failRate is null
            ? manifest.Replace("image: fledge/hello:v1", $"image: fledge/hello:{version}", StringComparison.Ordinal)
            : manifest.Replace("image: fledge/hello:v1", $"image: fledge/hello:{version}\n        env:\n        - name: HELLO_FAIL_RATE\n          value: \"{failRate}\"", StringComparison.Ordinal);
        string Service(string name, int servicePort) =>
            $"apiVersion: v1\nkind: Service\nmetadata:\n  name: {name}\nspec:\n  selector:\n    app: web\n  ports:\n  - port: {servicePort}\n";

        console.MarkupLine($"\n[bold]5.[/] A second service, [bold]web[/] on http://127.0.0.1:{port}/, released by canary: 20% of requests to the new version, " +
            "its failure rate checked three times, then 50%, then all");
        await ApplyAsync(console, client, Version("v1"), Service("web", port), Service("web-canary", canaryPort));
        await FollowAsync(context, client, "web");
        await using var load = new LoadGenerator(new Uri($"http://127.0.0.1:{port}/"), workers: 4, pause: TimeSpan.FromMilliseconds(2));
        await using var timeline = new TimelineRecorder(client, load, "web");
        await Task.Delay(1500);

        timeline.Mark("v2 canary");
        var before = load.Counts;
        await ApplyAsync(console, client, Version("v2"));
        var good = await CanaryOutcomeAsync(console, client, "fledge/hello:v2");
        timeline.Mark(good.Promoted ? "v2 healthy" : "v2 aborted");
        var goodCounts = load.Counts - before;
        Report(console, goodCounts);
        await Task.Delay(4000);

        console.MarkupLine("\n[bold]6.[/] A bad v3 (30% of its answers are errors) by the same canary: the analysis catches it and rolls it back by itself");
        timeline.Mark("v3 canary");
        before = load.Counts;
        var started = timeline.Seconds;
        await ApplyAsync(console, client, Version("v3", failRate: "0.3"));
        var bad = await CanaryOutcomeAsync(console, client, "fledge/hello:v3");
        var aborted = timeline.Seconds - started;
        timeline.Mark("v3 aborted");
        var badCounts = load.Counts - before;
        var gone = await WaitAsync(client, "web", r => !r.Images.Contains("fledge/hello:v3"));
        var rolledBack = timeline.Seconds - started;
        var share = badCounts.Sent == 0 ? 0 : (double)badCounts.Failed / badCounts.Sent;
        console.MarkupLine(Markup.Escape(bad.Message));
        console.MarkupLine(string.Create(CultureInfo.InvariantCulture,
            $"v3 was rolled back by itself: traffic back to v2 [bold]{aborted:0.0}s[/] after its canary started, its replicas gone after [bold]{rolledBack:0.0}s[/]"));
        console.MarkupLine(string.Create(CultureInfo.InvariantCulture,
            $"requests meanwhile: {badCounts.Sent:N0} sent, [yellow]{badCounts.Failed:N0} failed ({share * 100:0.0}%[/] of all, against a canary weight of 20%)"));
        await Task.Delay(2000);

        console.MarkupLine("\n[bold]7.[/] Timeline");
        var title = $"Fledge demo: web released by canary, v2 {(good.Promoted ? "promoted" : "not promoted")}, v3 {(bad.Promoted ? "not caught" : $"rolled back by itself after {aborted:0.0}s")}";
        TimelineChart.Save(timelinePath, title, timeline.Samples, timeline.Marks);
        console.MarkupLine($"traffic per version and error rate over time: [bold]{Markup.Escape(timelinePath)}[/]");

        return !good.Promoted ? $"the good canary was not promoted: {good.Message}"
            : goodCounts.Failed > 0 ? $"{goodCounts.Failed} requests failed during the good canary"
            : bad.Promoted || !gone ? $"the bad canary was not rolled back: {bad.Message}"
            : null;
    }

    /// <summary>Follows a canary until it is promoted (Healthy on its image) or aborted (Degraded), printing each change of step.</summary>
    private static async Task<(bool Promoted, string Message)> CanaryOutcomeAsync(IAnsiConsole console, ControlClient client, string image)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromMinutes(2);
        string? last = null;
        while (DateTime.UtcNow < deadline)
        {
            var rollout = (await client.GetAsync<RolloutDetail>("v1/rollouts/web")).Rollout;
            if (rollout.Canary is { } canary)
            {
                var line = $"{canary.Phase}: step {canary.Step}/{canary.Steps}, weight {canary.Weight}%{(canary.Message.Length > 0 ? $" ({canary.Message})" : "")}";
                if (line != last && rollout.ObservedGeneration == rollout.Generation)
                {
                    console.MarkupLine(Markup.Escape(line));
                    last = line;
                }

                if (canary.Phase == "Degraded")
                {
                    return (false, canary.Message);
                }

                if (canary.Phase == "Healthy" && rollout.Images.Contains(image) && rollout.ObservedGeneration == rollout.Generation)
                {
                    return (true, "promoted");
                }
            }

            await Task.Delay(250);
        }

        return (false, "no outcome within 2 minutes");
    }

    private static async Task<bool> WaitAsync(ControlClient client, string name, Func<RolloutSummary, bool> done)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromMinutes(1);
        while (DateTime.UtcNow < deadline)
        {
            if (done((await client.GetAsync<RolloutDetail>($"v1/rollouts/{name}")).Rollout))
            {
                return true;
            }

            await Task.Delay(250);
        }

        return false;
    }

    private static void Report(IAnsiConsole console, LoadCounts counts)
    {
        var colour = counts.Failed == 0 ? "green" : "red";
        console.MarkupLine($"requests: {counts.Sent.ToString("N0", CultureInfo.InvariantCulture)} sent, [{colour}]{counts.Failed.ToString("N0", CultureInfo.InvariantCulture)} failed[/] " +
            $"({counts.V1.ToString("N0", CultureInfo.InvariantCulture)} answered by v1, {counts.V2.ToString("N0", CultureInfo.InvariantCulture)} by newer versions)");
    }

    private static async Task ApplyAsync(IAnsiConsole console, ControlClient client, params string[] manifests)
    {
        var response = await client.PostAsync<ApplyResponse>("v1/apply", new ApplyRequest(manifests.Select((m, i) => new ApplySource($"demo-{i}.yaml", m)).ToList()));
        foreach (var result in response.Results)
        {
            console.MarkupLine(Markup.Escape($"{result.Kind.ToLowerInvariant()}/{result.Name} {result.Result}"));
        }
    }

    /// <summary>A live progress display on a terminal (replicas updated and available, requests so far); lines otherwise.</summary>
    private static async Task FollowAsync(CliContext context, ControlClient client, string name, LoadGenerator? load = null)
    {
        var console = context.Console;
        if (!console.Profile.Capabilities.Interactive || Console.IsOutputRedirected)
        {
            var code = await RolloutCommand.FollowAsync(context, client, name, TimeSpan.FromMinutes(5));
            if (code != ExitCodes.Success)
            {
                throw new InvalidOperationException($"the rollout of {name} did not complete");
            }

            return;
        }

        await console.Progress()
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new SpinnerColumn())
            .StartAsync(async progress =>
            {
                var updated = progress.AddTask("updated");
                var available = progress.AddTask("available");
                var requests = load is null ? null : progress.AddTask("requests", maxValue: 1);
                if (requests is not null)
                {
                    requests.IsIndeterminate = true;
                }

                while (true)
                {
                    var rollout = (await client.GetAsync<RolloutDetail>($"v1/rollouts/{name}")).Rollout;
                    var state = RolloutProgress.Of(rollout, DateTimeOffset.UtcNow);
                    updated.MaxValue = available.MaxValue = rollout.Replicas;
                    updated.Value = rollout.UpdatedReplicas;
                    available.Value = Math.Min(rollout.AvailableReplicas, rollout.UpdatedReplicas);
                    updated.Description = $"{rollout.UpdatedReplicas}/{rollout.Replicas} updated";
                    available.Description = $"{Math.Min(rollout.AvailableReplicas, rollout.UpdatedReplicas)}/{rollout.Replicas} available";
                    if (requests is not null)
                    {
                        var counts = load!.Counts;
                        requests.Value = 1;
                        requests.Description = $"{counts.Sent:N0} requests, {counts.Failed:N0} failed";
                    }

                    if (state.Done)
                    {
                        if (state.Failed)
                        {
                            throw new InvalidOperationException(state.Message);
                        }

                        return;
                    }

                    await Task.Delay(200);
                }
            });
        console.MarkupLine(Markup.Escape($"rollout \"{name}\" successfully rolled out"));
    }

    private static string Manifest(string name)
    {
        using var stream = Assembly.GetExecutingAssembly().GetManifestResourceStream(name)
            ?? throw new InvalidOperationException($"the demo manifest {name} is missing from the fledge binary");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }

    private static int FreePort()
    {
        using var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        return ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static void TryDelete(string directory)
    {
        try
        {
            Directory.Delete(directory, recursive: true);
        }
        catch (IOException)
        {
            // A log file still being closed; the directory is in the temporary folder.
        }
    }
}
