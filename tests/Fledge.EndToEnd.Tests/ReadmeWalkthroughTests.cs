using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace Fledge.EndToEnd.Tests;

/// <summary>
/// The README's walkthrough, run as a newcomer runs it: every command in order in one shell, with `fledge` on
/// PATH and a real `fledge serve`, each output checked against what the README says it prints.
/// </summary>
public sealed class ReadmeWalkthroughTests
{
    [Fact]
    public void Parse_Readme_FindsTheWalkthroughsCommandsAndPromises()
    {
        var steps = ReadmeWalkthrough.Parse(File.ReadAllText(ReadmeWalkthrough.ReadmePath));

        steps.First().Command.ShouldBe("fledge serve");
        steps.ShouldContain(s => s.Command.StartsWith("fledge apply -f samples/manifests/hello-v1.yaml", StringComparison.Ordinal)
            && s.Fragments.SequenceEqual(new[] { "rollout/hello created", "service/hello created" }));
        steps.ShouldContain(s => s.ExpectedExit == 1 && s.Command.StartsWith("fledge rollout status hello", StringComparison.Ordinal));
        steps.ShouldContain(s => s.Command.StartsWith("fledge plan -f samples/manifests/plan/web-midway.yaml", StringComparison.Ordinal) && s.OutputLines.Count == 5);
        steps.ShouldNotContain(s => s.Command.StartsWith("kubectl get deploy,rs", StringComparison.Ordinal), "a block marked to skip is not run");
        steps.Count(s => s.Fragments.Count > 0 || s.OutputLines.Count > 0).ShouldBeGreaterThan(40);
    }

    [Fact(Timeout = 900_000)]
    public async Task Walkthrough_RunInOrder_PrintsWhatTheReadmePromises()
    {
        var steps = ReadmeWalkthrough.Parse(File.ReadAllText(ReadmeWalkthrough.ReadmePath));
        foreach (var port in new[] { 8080, 8081, 8082 })
        {
            PortIsFree(port).ShouldBeTrue($"the walkthrough's Services listen on 127.0.0.1:{port}; something else holds it");
        }

        var work = Path.Combine(Path.GetTempPath(), $"fledge-readme-{Guid.NewGuid():N}");
        var bin = Path.Combine(work, "bin");
        var data = Path.Combine(work, "data");
        Directory.CreateDirectory(bin);
        var shim = Path.Combine(bin, "fledge");
        await File.WriteAllTextAsync(shim, $"#!/bin/sh\nexec \"{Tools.Dotnet}\" \"{RuntimeProcess.FledgeDll}\" \"$@\"\n", TestContext.Current.CancellationToken);
        File.SetUnixFileMode(shim, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        var (serveLog, servePid) = (Path.Combine(work, "serve.log"), Path.Combine(work, "serve.pid"));
        var script = Path.Combine(work, "walkthrough.sh");
        await File.WriteAllTextAsync(script, ReadmeWalkthrough.Script(steps, serveLog, servePid), TestContext.Current.CancellationToken);
        try
        {
            // As a terminal starts it: SIGINT and SIGQUIT at their defaults, however the tests were started.
            var start = new ProcessStartInfo("env", ["--default-signal=INT,QUIT", "bash", script])
            {
                WorkingDirectory = Path.GetDirectoryName(ReadmeWalkthrough.ReadmePath),
                RedirectStandardOutput = true,
                UseShellExecute = false,
            };
            start.Environment["PATH"] = $"{bin}:{Environment.GetEnvironmentVariable("PATH")}";
            start.Environment["FLEDGE_DATA_DIR"] = data;
            using var shell = Process.Start(start)!;
            var printed = shell.StandardOutput.ReadToEndAsync(TestContext.Current.CancellationToken);
            await shell.WaitForExitAsync(TestContext.Current.CancellationToken);
            var results = ReadmeWalkthrough.Results(await printed);

            var broken = new List<string>();
            for (var i = 0; i < steps.Count; i++)
            {
                var step = steps[i];
                var why = results.TryGetValue(i, out var result) ? ReadmeWalkthrough.Check(step, result.Output, result.ExitCode) : "it did not run";
                if (why is not null)
                {
                    broken.Add($"README.md:{step.Line}: `{step.Command}`: {why}\n--- it printed:\n{result.Output}\n---");
                }
            }

            // Ctrl-C in the runtime's terminal: it stops every replica and exits 0.
            var pid = int.Parse((await File.ReadAllTextAsync(servePid, TestContext.Current.CancellationToken)).Trim(), System.Globalization.CultureInfo.InvariantCulture);
            _ = Posix.Kill(pid, 2);
            var deadline = DateTime.UtcNow.AddSeconds(90);
            while ((File.Exists(Path.Combine(data, "fledge.sock")) || RuntimeProcess.ReplicaProcesses(data).Count > 0) && DateTime.UtcNow < deadline)
            {
                await Task.Delay(200, TestContext.Current.CancellationToken);
            }

            var log = await File.ReadAllTextAsync(serveLog, TestContext.Current.CancellationToken);
            if (!log.Contains("stopped", StringComparison.Ordinal) || RuntimeProcess.ReplicaProcesses(data).Count > 0)
            {
                broken.Add($"Ctrl-C did not stop `fledge serve` with every replica within 90s; it printed:\n{log}");
            }

            broken.ShouldBeEmpty($"{broken.Count} of {steps.Count} walkthrough steps do not do what the README says:\n\n{string.Join("\n\n", broken)}");
        }
        finally
        {
            foreach (var pid in RuntimeProcess.ReplicaProcesses(data))
            {
                _ = Posix.Kill(pid, 9);
            }

            Directory.Delete(work, recursive: true);
        }
    }

    private static bool PortIsFree(int port)
    {
        try
        {
            using var listener = new TcpListener(IPAddress.Loopback, port);
            listener.Start();
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }
}
