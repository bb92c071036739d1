namespace Fledge.EndToEnd.Tests;

/// <summary>Probes of every kind, preStop, and the rollout verbs, on real processes.</summary>
public sealed class LifecycleTests(SharedRuntime shared) : IClassFixture<SharedRuntime>
{
    private RuntimeProcess Runtime => shared.Runtime;

    private static string WithProbes(string name, string probes)
    {
        var original = Manifests.Hello("v1", replicas: 1, name: name, app: name);
        var changed = original.Replace(
            "        readinessProbe:\n          httpGet:\n            path: /ready\n            port: 8080\n          periodSeconds: 1",
            probes.TrimEnd('\n'), StringComparison.Ordinal);
        changed.ShouldNotBe(original, "the readiness probe of the hello manifest should have been replaced");
        return changed;
    }

    [Fact]
    public void Probes_TcpReadinessAndExecLivenessAndStartup_LetTheRolloutComplete()
    {
        Runtime.Apply(WithProbes("probed", """
                    startupProbe:
                      tcpSocket:
                        port: 8080
                      periodSeconds: 1
                      failureThreshold: 30
                    readinessProbe:
                      tcpSocket:
                        port: 8080
                      periodSeconds: 1
                    livenessProbe:
                      exec:
                        command: ["true"]
                      periodSeconds: 1

            """));

        Runtime.WaitForRollout("probed", "1m");
        Runtime.Fledge("get", "pods").Output.Split('\n').Single(l => l.StartsWith("probed-", StringComparison.Ordinal)).ShouldContain("1/1");
    }

    [Fact(Timeout = 240_000)]
    public async Task Probes_FailingExecLiveness_RestartsTheReplica()
    {
        Runtime.Apply(WithProbes("unlively", """
                    livenessProbe:
                      exec:
                        command: ["false"]
                      periodSeconds: 1
                      failureThreshold: 2

            """));

        System.Text.Json.JsonElement pod = default;
        await RestartTests.WaitUntilAsync(() =>
        {
            var pods = System.Text.Json.JsonDocument.Parse(Runtime.Fledge("get", "pods", "-o", "json").Output).RootElement.GetProperty("items");
            pod = pods.EnumerateArray().FirstOrDefault(p => p.GetProperty("metadata").GetProperty("name").GetString()!.StartsWith("unlively-", StringComparison.Ordinal));
            return pod.ValueKind != System.Text.Json.JsonValueKind.Undefined
                && pod.GetProperty("status").GetProperty("containerStatuses")[0].GetProperty("restartCount").GetInt32() >= 1;
        }, 30);
        // As the kubelet reports it: a Pod whose container waits in CrashLoopBackOff, with the reason it was restarted
        pod.GetProperty("kind").GetString().ShouldBe("Pod");
        var waiting = pod.GetProperty("status").GetProperty("containerStatuses")[0].GetProperty("state").GetProperty("waiting");
        waiting.GetProperty("reason").GetString().ShouldBe("CrashLoopBackOff");
        waiting.GetProperty("message").GetString()!.ShouldContain("Liveness probe failed: command false exited with 1");
    }

    [Fact(Timeout = 240_000)]
    public async Task ScaleDown_RunsPreStopBeforeTheReplicaStops()
    {
        var marker = Path.Combine(Runtime.DataDirectory, $"prestop-{Guid.NewGuid():N}");
        Runtime.Apply(Manifests.Hello("v1", replicas: 1, name: "stopper", app: "stopper").Replace(
            "        readinessProbe:",
            $"        lifecycle:\n          preStop:\n            exec:\n              command: [\"touch\", \"{marker}\"]\n        readinessProbe:",
            StringComparison.Ordinal));
        Runtime.WaitForRollout("stopper", "1m");
        File.Exists(marker).ShouldBeFalse();

        Runtime.Fledge("scale", "rollout/stopper", "--replicas", "0").ExitCode.ShouldBe(0);

        await RestartTests.WaitUntilAsync(() => File.Exists(marker), 30);
        await RestartTests.WaitUntilAsync(() => !Runtime.Fledge("get", "pods").Output.Contains("stopper-", StringComparison.Ordinal), 30);
    }

    [Fact]
    public void SetImageRestartPauseResume_WorkAsKubectlDoes()
    {
        Runtime.Apply(Manifests.Hello("v1", replicas: 1, name: "verbs", app: "verbs"));
        Runtime.WaitForRollout("verbs", "1m");

        Runtime.Fledge("set", "image", "rollout/verbs", "hello=fledge/hello:v2").Output.ShouldContain("image updated");
        Runtime.WaitForRollout("verbs", "1m");
        Runtime.Fledge("rollout", "restart", "verbs").Output.ShouldContain("restarted");
        Runtime.WaitForRollout("verbs", "1m");
        var history = Runtime.Fledge("rollout", "history", "verbs").Output;
        history.ShouldContain("fledge/hello:v1");
        history.Split('\n').Count(l => l.Contains("fledge/hello:v2", StringComparison.Ordinal)).ShouldBe(2, history);

        Runtime.Fledge("rollout", "pause", "verbs").Output.ShouldContain("paused");
        Runtime.Fledge("set", "image", "rollout/verbs", "hello=fledge/hello:v1").ExitCode.ShouldBe(0);
        Runtime.Fledge("get", "rs", "-o", "wide").Output.Split('\n').Count(l => l.Contains(" verbs", StringComparison.Ordinal)).ShouldBe(3, "a paused rollout creates no replica set");
        Runtime.Fledge("rollout", "undo", "verbs").Error.ShouldContain("resume it first");
        Runtime.Fledge("rollout", "resume", "verbs").Output.ShouldContain("resumed");
        Runtime.WaitForRollout("verbs", "1m");
        Runtime.Fledge("set", "image", "rollout/verbs", "nope=fledge/hello:v1").Error.ShouldContain("unable to find container named \"nope\"");
    }
}
