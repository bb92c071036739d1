using System.Net;
using System.Net.Sockets;

namespace Fledge.EndToEnd.Tests;

/// <summary>Bad input gets a clear message on the object, and the runtime keeps serving everything else.</summary>
public sealed class BadInputTests(SharedRuntime shared) : IClassFixture<SharedRuntime>
{
    private RuntimeProcess Runtime => shared.Runtime;

    private async Task<string> DescribeWhenAsync(string rollout, string expected)
    {
        var text = "";
        await RestartTests.WaitUntilAsync(() => (text = Runtime.Fledge("describe", "rollout", rollout).Output).Contains(expected, StringComparison.Ordinal), seconds: 30);
        return text;
    }

    [Fact(Timeout = 240_000)]
    public async Task Apply_UnknownCommandPath_ShowsCannotStartOnTheReplica()
    {
        Runtime.Apply(Manifests.Hello("v1", replicas: 1, name: "nocommand", app: "nocommand", command: "[\"/nonexistent/bin/app\"]"));

        var described = await DescribeWhenAsync("nocommand", "cannot start \"/nonexistent/bin/app\"");

        described.ShouldContain("Failed");
        await shared.HelloStillServesAsync();
    }

    [Fact(Timeout = 240_000)]
    public async Task Apply_ImageWithoutCommand_SaysHowToMapIt()
    {
        var yaml = Manifests.Hello("v1", replicas: 1, name: "unmapped", app: "unmapped").Replace("fledge/hello:v1", "example/unknown:1.0", StringComparison.Ordinal);
        Runtime.Apply(yaml);

        await DescribeWhenAsync("unmapped", "image \"example/unknown:1.0\" has no command");
        var (code, output, error) = Runtime.Fledge("rollout", "status", "unmapped", "--timeout", "2s");
        code.ShouldBe(1);
        output.ShouldContain("has no command: give the container a command, or map the image in the image table", customMessage: "rollout status says why it waits");
        error.ShouldContain("timed out waiting for the condition after 2s");
        await shared.HelloStillServesAsync();
    }

    [Fact(Timeout = 240_000)]
    public async Task ImageTable_MappingAddedWhileRunning_StartsTheReplicaWithoutARestart()
    {
        // Given a replica that cannot start: its image has no command yet
        var yaml = Manifests.Hello("v1", replicas: 1, name: "latecomer", app: "latecomer").Replace("fledge/hello:v1", "example/latecomer:1.0", StringComparison.Ordinal);
        Runtime.Apply(yaml);
        await DescribeWhenAsync("latecomer", "image \"example/latecomer:1.0\" has no command");
        var runtimePid = Runtime.Pid;

        // When the image is mapped in the data directory's images.yaml
        var dotnet = Tools.Dotnet;
        File.WriteAllText(Path.Combine(Runtime.DataDirectory, "images.yaml"), $"example/latecomer: [\"{dotnet}\", \"{RuntimeProcess.FledgeDll}\", \"hello\"]\n");

        // Then the replica starts (its back-off cut short), and the runtime was never restarted
        Runtime.WaitForRollout("latecomer", "1m");
        Runtime.Pid.ShouldBe(runtimePid);
        Runtime.Output.ShouldContain("read again: ");
        await shared.HelloStillServesAsync();
    }

    [Fact(Timeout = 240_000)]
    public void Logs_OfARollout_PicksOneOfItsReplicas()
    {
        var (code, output, error) = Runtime.Fledge("logs", "rollout/hello");

        code.ShouldBe(0, error);
        error.ShouldMatch(@"Found 2 pods, using pod/hello-[a-z0-9]+-[a-z0-9]+");
        output.ShouldContain("hello v1 listening on 127.0.0.1:");
    }

    [Fact(Timeout = 240_000)]
    public async Task Apply_ReadinessProbePointingNowhere_ShowsTheProbeFailure()
    {
        var yaml = Manifests.Hello("v1", replicas: 1, name: "noprobe", app: "noprobe").Replace("path: /ready", "path: /nowhere", StringComparison.Ordinal);
        Runtime.Apply(yaml);

        await DescribeWhenAsync("noprobe", "Readiness probe failed: HTTP probe failed with statuscode: 404");
        await shared.HelloStillServesAsync();
    }

    [Fact(Timeout = 240_000)]
    public async Task Apply_CrashingBinary_GoesIntoCrashLoopBackOffWithRestartCount()
    {
        var env = "        - name: HELLO_CRASH_AFTER\n          value: \"0.5\"\n";
        Runtime.Apply(Manifests.Hello("v1", replicas: 1, name: "crasher", app: "crasher", extraEnv: env));

        var described = await DescribeWhenAsync("crasher", "CrashLoopBackOff");
        described.ShouldContain("restarting failed container: exited with code 1");
        await shared.HelloStillServesAsync();
    }

    [Fact(Timeout = 240_000)]
    public async Task Apply_ServiceOnBusyPort_ShowsTheProblemAndBindsOnceThePortIsFree()
    {
        var squatter = new TcpListener(IPAddress.Loopback, 0);
        squatter.Start();
        var port = ((IPEndPoint)squatter.LocalEndpoint).Port;

        Runtime.Apply(Manifests.Service(port, name: "busy", app: "hello"));

        var (_, services, _) = Runtime.Fledge("get", "services", "busy");
        services.ShouldContain($"cannot listen on 127.0.0.1:{port}");
        services.ShouldContain("retrying until it is free");
        await shared.HelloStillServesAsync();

        squatter.Stop();
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
        var deadline = DateTime.UtcNow.AddSeconds(60);
        string? answer = null;
        while (answer is null && DateTime.UtcNow < deadline)
        {
            try
            {
                answer = await http.GetStringAsync($"http://127.0.0.1:{port}/", TestContext.Current.CancellationToken);
            }
            catch (HttpRequestException)
            {
                await Task.Delay(250, TestContext.Current.CancellationToken);
            }
        }

        answer.ShouldNotBeNull($"the Service never bound 127.0.0.1:{port} after it was freed");
        answer.ShouldBe("Hello World!\n");
        Runtime.Fledge("get", "services", "busy").Output.ShouldNotContain("cannot listen");
        Runtime.Fledge("delete", "service", "busy").ExitCode.ShouldBe(0);
    }

    [Fact]
    public void Apply_InvalidManifest_ChangesNothingAndExitsTwo()
    {
        var path = Path.Combine(Runtime.DataDirectory, "invalid.yaml");
        File.WriteAllText(path, Manifests.Hello("v2", replicas: 2).Replace("maxSurge: 1", "maxSurge: 0", StringComparison.Ordinal));

        var (code, _, error) = Runtime.Fledge("apply", "-f", path);

        code.ShouldBe(2);
        error.ShouldContain("spec.strategy.rollingUpdate.maxUnavailable: Invalid value: 0: may not be 0 when maxSurge is 0");
        Runtime.Fledge("get", "rollouts", "hello", "-o", "wide").Output.ShouldContain("fledge/hello:v1");
        Runtime.Fledge("get", "rollouts", "hello", "-o", "wide").Output.ShouldNotContain("fledge/hello:v2");
    }

    [Fact]
    public void Apply_SameManifestAgain_ChangesNothing()
    {
        var path = Path.Combine(Runtime.DataDirectory, "same.yaml");
        File.WriteAllText(path, Manifests.Hello("v1", replicas: 2) + "\n---\n" + Manifests.Service(shared.HelloPort));
        var before = Runtime.Fledge("describe", "rollout", "hello").Output;

        var (code, output, error) = Runtime.Fledge("apply", "-f", path);

        code.ShouldBe(0, error);
        output.ShouldContain("rollout/hello unchanged");
        output.ShouldContain("service/hello unchanged");
        var generation = before.Split('\n').Single(l => l.StartsWith("Revision:", StringComparison.Ordinal));
        Runtime.Fledge("describe", "rollout", "hello").Output.ShouldContain(generation);
    }

    [Fact(Timeout = 240_000)]
    public async Task Metrics_AfterRequests_CountsThemByServiceRevisionAndStatusClass()
    {
        await shared.HelloStillServesAsync();
        var url = Runtime.Output.Split('\n').Single(l => l.StartsWith("fledge serve:", StringComparison.Ordinal)).Split("metrics ")[1].Trim();

        using var http = new HttpClient();
        var metrics = await http.GetStringAsync(new Uri(url), TestContext.Current.CancellationToken);

        metrics.ShouldContain("fledge_service_requests_total{service=\"hello\",revision=\"1\",code=\"2xx\"}");
        metrics.ShouldContain("fledge_service_request_duration_seconds_bucket{service=\"hello\",revision=\"1\"");
    }

    [Fact]
    public void Logs_OfAReplica_ShowWhatItPrinted()
    {
        var pod = Runtime.Fledge("get", "pods").Output.Split('\n').First(l => l.StartsWith("hello-", StringComparison.Ordinal)).Split(' ')[0];

        var (code, output, error) = Runtime.Fledge("logs", $"pod/{pod}");

        code.ShouldBe(0, error);
        output.ShouldContain("hello v1 listening on 127.0.0.1:");
        Runtime.Fledge("logs", "pod/nothing-here").ExitCode.ShouldBe(1);
    }

    [Fact]
    public void Commands_UnknownRollout_SayItIsNotFound()
    {
        var (code, _, error) = Runtime.Fledge("rollout", "undo", "ghost");

        code.ShouldBe(1);
        error.ShouldContain("Rollout \"ghost\" not found");
    }
}
