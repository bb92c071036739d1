using System.CommandLine;
using System.Globalization;
using System.Reflection;
using System.Runtime.InteropServices;
using Fledge.Cli.Client;
using Fledge.Local;
using Fledge.Local.Api;
using Microsoft.Extensions.Logging.Abstractions;
using Spectre.Console;

namespace Fledge.Cli.Commands.Runtime;

/// <summary>
/// `fledge demo`: in one process, starts the runtime on a temporary data directory, deploys hello v1 behind a
/// Service, drives steady traffic, rolls out v2 (maxSurge 1, maxUnavailable 0), reports how many requests
/// failed, shows the history, undoes to v1, and stops everything it started.
/// </summary>
internal static class DemoCommand
{
    public static Command Create(CliContext context)
    {
        var command = new Command("demo", "Watch a zero-downtime rollout for real: hello v1 -> v2 under load, then undo (leaves nothing running)");
        command.SetAction(_ => RunAsync(context).GetAwaiter().GetResult());
        return command;
    }

    private static async Task<int> RunAsync(CliContext context)
    {
        var console = context.Console;
        var dataDirectory = Path.Combine(Path.GetTempPath(), $"fledge-demo-{Guid.NewGuid():N}");
        var port = FreePort();
        console.MarkupLine($"[bold]Fledge demo[/]: a runtime on [grey]{Markup.Escape(dataDirectory)}[/], the hello Service on [bold]http://127.0.0.1:{port}/[/]");
        await using (var runtime = await LocalRuntime.StartAsync(
            new RuntimeOptions(dataDirectory) { MetricsPort = 0, BuiltInImages = HelloCommand.BuiltInImages() }, NullLogger.Instance))
        {
            // Ctrl-C or SIGTERM mid-demo still stops every replica before the process ends.
            void Interrupt(PosixSignalContext signal)
            {
                signal.Cancel = true;
                console.MarkupLine("\n[yellow]Interrupted[/]: stopping the demo's replicas...");
                runtime.DisposeAsync().AsTask().GetAwaiter().GetResult();
                TryDelete(dataDirectory);
                Environment.Exit(130);
            }

            using var sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, Interrupt);
            using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, Interrupt);
            using var client = new ControlClient(dataDirectory);
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
            var table = Tables.New("REVISION", "CHANGE-CAUSE", "IMAGE");
            foreach (var entry in history.Items)
            {
                table.AddRow(entry.Revision.ToString(CultureInfo.InvariantCulture), Markup.Escape(entry.ChangeCause ?? "<none>"), Markup.Escape(entry.Image));
            }

            console.Write(table);

            console.MarkupLine("\n[bold]4.[/] Undo: back to v1 (it returns as revision 3), still under load");
            before = load.Counts;
            var undo = await client.PostAsync<MessageResponse>("v1/rollouts/hello/undo");
            console.MarkupLine(Markup.Escape(undo.Message));
            await FollowAsync(context, client, "hello", load);
            var back = load.Counts - before;
            Report(console, back);

            console.MarkupLine("\n[bold]5.[/] Stopping: replicas leave the Service first, then stop gracefully");
            var failed = rollout.Failed + back.Failed;
            if (failed > 0)
            {
                return context.Fail(ExitCodes.RolloutFailed, [$"{failed} requests failed during the demo's rollouts"]);
            }
        }

        TryDelete(dataDirectory);
        console.MarkupLine("[green]Done.[/] Nothing is left running.");
        return ExitCodes.Success;
    }

    private static void Report(IAnsiConsole console, LoadCounts counts)
    {
        var colour = counts.Failed == 0 ? "green" : "red";
        console.MarkupLine($"requests: {counts.Sent.ToString("N0", CultureInfo.InvariantCulture)} sent, [{colour}]{counts.Failed.ToString("N0", CultureInfo.InvariantCulture)} failed[/] " +
            $"({counts.V1.ToString("N0", CultureInfo.InvariantCulture)} answered by v1, {counts.V2.ToString("N0", CultureInfo.InvariantCulture)} by v2)");
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
                    var state = RolloutProgress.Of(rollout);
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
