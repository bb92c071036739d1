using System.Diagnostics;

namespace Fledge.EndToEnd.Tests;

/// <summary>
/// Ctrl-C in a terminal signals the whole foreground process group. Replicas lead groups of their own, so only
/// the runtime hears it and stops each replica its own way: out of the Services, preStop, SIGTERM.
/// </summary>
public sealed class InterruptTests
{
    [Fact(Timeout = 180_000)]
    public async Task Serve_CtrlCInItsTerminal_RunsPreStopAndStopsEveryReplica()
    {
        // Given a runtime started from a terminal, running replicas that write down the signal they get
        await using var runtime = await RuntimeProcess.StartAsync();
        var signals = Path.Combine(runtime.DataDirectory, "signals");
        var marker = Path.Combine(runtime.DataDirectory, "prestop-ran");
        runtime.Apply($$"""
            apiVersion: fledge.io/v1alpha1
            kind: Rollout
            metadata:
              name: listener
            spec:
              replicas: 2
              selector:
                matchLabels: {app: listener}
              template:
                metadata:
                  labels: {app: listener}
                spec:
                  containers:
                  - name: listener
                    image: sh
                    command: ["sh", "-c", "trap 'echo INT >> {{signals}}; exit 0' INT; trap 'echo TERM >> {{signals}}; exit 0' TERM; while true; do sleep 0.1; done"]
                    lifecycle:
                      preStop:
                        exec:
                          command: ["touch", "{{marker}}"]
            """);
        runtime.WaitForRollout("listener", "1m");
        RuntimeProcess.ReplicaProcesses(runtime.DataDirectory).Count.ShouldBeGreaterThanOrEqualTo(2);

        // When the user presses Ctrl-C
        runtime.Interrupt();

        // Then the runtime stops them through preStop, says so, and exits 0 with nothing left running
        (await runtime.WaitForExitAsync(TimeSpan.FromSeconds(60))).ShouldBe(0, runtime.Output);
        runtime.Output.ShouldContain("stopping: taking replicas out of Services");
        File.Exists(marker).ShouldBeTrue("preStop ran");
        File.ReadAllLines(signals).ShouldBe(["TERM", "TERM"], "each replica was stopped by the runtime's SIGTERM, never by the terminal's SIGINT");
        RuntimeProcess.ReplicaProcesses(runtime.DataDirectory).ShouldBeEmpty();
    }

    [Fact(Timeout = 180_000)]
    public async Task Demo_CtrlCInItsTerminal_StopsItsReplicasAndExits130()
    {
        // Given the demo running in a terminal, with its first rollout up
        var start = RuntimeProcess.Terminal(Tools.Dotnet, [RuntimeProcess.FledgeDll, "demo"]);
        start.RedirectStandardOutput = start.RedirectStandardError = true;
        using var demo = Process.Start(start)!;
        var output = new System.Text.StringBuilder();
        demo.OutputDataReceived += (_, e) => { lock (output) { output.AppendLine(e.Data); } };
        demo.ErrorDataReceived += (_, e) => { lock (output) { output.AppendLine(e.Data); } };
        demo.BeginOutputReadLine();
        demo.BeginErrorReadLine();
        string Text() { lock (output) { return output.ToString(); } }
        await RestartTests.WaitUntilAsync(() => Text().Contains("successfully rolled out", StringComparison.Ordinal), seconds: 90);
        var dataDirectory = Path.Combine(Path.GetTempPath(), System.Text.RegularExpressions.Regex.Match(Text(), "fledge-demo-[0-9a-f]{32}").Value);
        RuntimeProcess.ReplicaProcesses(dataDirectory).ShouldNotBeEmpty();

        // When the user presses Ctrl-C
        _ = Posix.Kill(-demo.Id, 2);

        // Then the demo stops its replicas itself and exits 130, as an interrupted command does
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await demo.WaitForExitAsync(timeout.Token);
        demo.ExitCode.ShouldBe(130, Text());
        Text().ShouldContain("Interrupted");
        RuntimeProcess.ReplicaProcesses(dataDirectory).ShouldBeEmpty();
    }
}
