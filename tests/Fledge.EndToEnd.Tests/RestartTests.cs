namespace Fledge.EndToEnd.Tests;

/// <summary>State is written before it is acted on: a runtime killed mid-rollout picks it up again.</summary>
public sealed class RestartTests
{
    [Fact(Timeout = 240_000)]
    public async Task Serve_KilledMidRolloutAndRestarted_CompletesWithHistoryAndNoStrayProcesses()
    {
        // Given a rollout from v1 to v2 half-way
        await using var runtime = await RuntimeProcess.StartAsync();
        runtime.Apply(Manifests.Hello("v1", replicas: 3, minReadySeconds: 2));
        runtime.WaitForRollout("hello");
        runtime.Apply(Manifests.Hello("v2", replicas: 3, minReadySeconds: 2));
        await WaitUntilAsync(() => runtime.Fledge("get", "rs", "-o", "wide").Output.Split('\n').Any(l => l.Contains("hello:v2", StringComparison.Ordinal) && !l.Contains(" 0 ", StringComparison.Ordinal)));

        // When the runtime is killed with SIGKILL and started again
        runtime.Kill();
        RuntimeProcess.ReplicaProcesses(runtime.DataDirectory).ShouldNotBeEmpty("SIGKILL leaves the replicas running");
        await runtime.RestartAsync();

        // Then the rollout completes, the history is intact, and only the new replicas run
        runtime.Output.ShouldContain("left running by a previous runtime");
        runtime.WaitForRollout("hello");
        var (_, history, _) = runtime.Fledge("rollout", "history", "hello");
        history.ShouldContain("hello v1");
        history.ShouldContain("hello v2");
        // (a scaled-down replica may still be finishing its requests when the rollout is complete, as in Kubernetes)
        await WaitUntilAsync(() => RuntimeProcess.ReplicaProcesses(runtime.DataDirectory).Count <= 3, seconds: 40);
        var (_, pods, _) = runtime.Fledge("get", "pods", "-o", "json");
        RuntimeProcess.ReplicaProcesses(runtime.DataDirectory).Count.ShouldBe(3, pods);

        (await runtime.StopAsync()).ShouldBe(0);
        RuntimeProcess.ReplicaProcesses(runtime.DataDirectory).ShouldBeEmpty("a stopped runtime leaves no replica behind");
    }

    [Fact(Timeout = 240_000)]
    public async Task Serve_SecondOnSameDataDirectory_RefusesToStart()
    {
        await using var runtime = await RuntimeProcess.StartAsync();

        var (code, _, error) = runtime.Fledge("serve", "--metrics-port", "0");

        File.GetUnixFileMode(runtime.DataDirectory).ShouldBe(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, "a data directory the runtime makes is private");
        code.ShouldBe(3);
        error.ShouldContain($"another fledge serve (pid {runtime.Pid}) is using the data directory");
    }

    internal static async Task WaitUntilAsync(Func<bool> condition, int seconds = 60)
    {
        var deadline = DateTime.UtcNow.AddSeconds(seconds);
        while (!condition())
        {
            DateTime.UtcNow.ShouldBeLessThan(deadline, "the condition did not come true in time");
            await Task.Delay(200, TestContext.Current.CancellationToken);
        }
    }
}
