using System.Collections.Concurrent;
using System.Net;
using System.Text.Json;

namespace Fledge.EndToEnd.Tests;

/// <summary>
/// Flagger's webhooks on a canary, through a real runtime and a real HTTP receiver: confirm-promotion holds the release
/// until the receiver says yes, a rollback webhook that answers 2xx aborts the canary, and event and post-rollout
/// webhooks are told what happened.
/// </summary>
public sealed class WebhookTests
{
    /// <summary>An HTTP receiver: records each POST by path and answers 200 where allowed, 403 elsewhere.</summary>
    private sealed class Receiver : IDisposable
    {
        private readonly HttpListener _listener = new();
        private readonly CancellationTokenSource _stop = new();

        public Receiver()
        {
            Port = RuntimeProcess.FreePort();
            _listener.Prefixes.Add($"http://127.0.0.1:{Port}/");
            _listener.Start();
            _ = Task.Run(ServeAsync);
        }

        public int Port { get; }

        public ConcurrentDictionary<string, bool> Allowed { get; } = new();

        public ConcurrentQueue<(string Path, JsonElement Body)> Received { get; } = new();

        public string Url(string path) => $"http://127.0.0.1:{Port}/{path}";

        public int Count(string path) => Received.Count(r => r.Path == path);

        public IEnumerable<string> Phases(string path) => Received.Where(r => r.Path == path).Select(r => r.Body.GetProperty("phase").GetString() ?? "");

        private async Task ServeAsync()
        {
            while (!_stop.IsCancellationRequested)
            {
                HttpListenerContext context;
                try
                {
                    context = await _listener.GetContextAsync();
                }
                catch (Exception) when (_stop.IsCancellationRequested)
                {
                    return;
                }

                var path = context.Request.Url!.AbsolutePath.Trim('/');
                using (var reader = new StreamReader(context.Request.InputStream))
                {
                    Received.Enqueue((path, JsonDocument.Parse(await reader.ReadToEndAsync()).RootElement.Clone()));
                }

                context.Response.StatusCode = Allowed.GetValueOrDefault(path) ? 200 : 403;
                context.Response.Close();
            }
        }

        public void Dispose()
        {
            _stop.Cancel();
            _listener.Close();
        }
    }

    private static string Canary(string version, Receiver receiver, params string[] types) =>
        CanaryManifests.Rollout(version, ["- setWeight: 50"]).Replace("      steps:\n", "      webhooks:\n"
            + string.Concat(types.Select(t => $"      - {{name: {t}-hook, type: {t}, url: \"{receiver.Url(t)}\", timeout: 5s, metadata: {{team: shop}}}}\n"))
            + "      steps:\n", StringComparison.Ordinal);

    [Fact(Timeout = 240_000)]
    public async Task Webhooks_ConfirmPromotionHoldsTheRelease_RollbackAbortsIt_EventsAreTold()
    {
        using var receiver = new Receiver();
        receiver.Allowed["event"] = true;
        receiver.Allowed["post-rollout"] = true;
        await using var runtime = await RuntimeProcess.StartAsync();
        var port = RuntimeProcess.FreePort();
        runtime.Apply(Canary("v1", receiver, "confirm-promotion", "event", "post-rollout") + "\n---\n" + Manifests.Service(port) + "\n---\n"
            + Manifests.Service(RuntimeProcess.FreePort(), name: "hello-canary"));
        runtime.WaitForRollout("hello");

        // v2 reaches 50% and then waits: the receiver refuses confirm-promotion
        runtime.Apply(Canary("v2", receiver, "confirm-promotion", "event", "post-rollout"));
        await RestartTests.WaitUntilAsync(() => receiver.Count("confirm-promotion") >= 2);
        runtime.Fledge("get", "rollout", "hello", "-o", "jsonpath={.status.canary.weight}").Output.ShouldBe("50", "held at 50% while the receiver says no");
        var asked = receiver.Received.First(r => r.Path == "confirm-promotion").Body;
        (asked.GetProperty("name").GetString(), asked.GetProperty("type").GetString(), asked.GetProperty("metadata").GetProperty("team").GetString())
            .ShouldBe(("hello", "confirm-promotion", "shop"));

        // The receiver says yes: v2 is promoted, and the post-rollout and event webhooks are told
        receiver.Allowed["confirm-promotion"] = true;
        runtime.WaitForRollout("hello");
        await RestartTests.WaitUntilAsync(() => receiver.Phases("post-rollout").Contains("RolloutCompleted"));
        receiver.Phases("event").ShouldContain("RolloutCompleted");
        receiver.Phases("event").ShouldContain("AnalysisRunRunning");

        // v3 with a rollback webhook that answers 200: the canary is aborted by it
        receiver.Allowed["rollback"] = true;
        runtime.Apply(Canary("v3", receiver, "rollback", "post-rollout"));
        await RestartTests.WaitUntilAsync(() => runtime.Fledge("get", "rollouts", "-o", "wide").Output.Contains("Degraded", StringComparison.Ordinal));
        await RestartTests.WaitUntilAsync(() => receiver.Phases("post-rollout").Contains("RolloutAborted"));
        runtime.Fledge("describe", "rollout", "hello").Output.ShouldContain("rollback-hook");
    }
}
