using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using k8s;

namespace Fledge.Kubernetes.Tests;

/// <summary>
/// A canary's analysis on a cluster: the operator takes the measurements (a web metric the test serves), records them
/// in the Rollout's status, and the planner promotes a good version and rolls a bad one back by itself.
/// </summary>
public sealed class ClusterAnalysisTests
{
    [Fact(Timeout = 600_000)]
    public async Task Analysis_OnACluster_PromotesAGoodCanaryAndRollsBackABadOne()
    {
        using var client = ControlPlane.Client();
        using var ns = ControlPlane.Namespace("analysis");
        await using var kubelet = new TestKubelet(client, ns.Name);
        await using var metrics = ErrorRates.Start(new Dictionary<string, double> { ["v1"] = 0, ["v2"] = 0.01, ["v3"] = 0.5 });
        await using var fledge = await OperatorProcess.StartAsync(ns.Name);

        ClusterCliTests.FledgeWithInput(ns.Name, Template(metrics.Port), "apply", "-f", "-").Code.ShouldBe(0);
        ClusterCliTests.FledgeWithInput(ns.Name, Canary("v1"), "apply", "-f", "-").Code.ShouldBe(0);
        ClusterCliTests.Fledge(ns.Name, "rollout", "status", "web", "--timeout", "2m").ShouldSucceed(fledge);

        // v2 measures 0.01 twice: the analysis passes and the canary becomes stable
        ClusterCliTests.FledgeWithInput(ns.Name, Canary("v2"), "apply", "-f", "-").Code.ShouldBe(0);
        var good = ClusterCliTests.Fledge(ns.Name, "rollout", "status", "web", "--timeout", "2m");
        good.Code.ShouldBe(0, good + fledge.Output);
        metrics.Requests("v2").ShouldBeGreaterThanOrEqualTo(2);
        var promoted = ClusterCliTests.Fledge(ns.Name, "get", "rollout", "web", "-o", "jsonpath={.status.canary.stableReplicaSet}").Output;
        var images = (await client.AppsV1.ListNamespacedReplicaSetAsync(ns.Name, cancellationToken: TestContext.Current.CancellationToken)).Items
            .ToDictionary(rs => rs.Metadata.Name, rs => rs.Spec.Template.Spec.Containers[0].Image);
        images[promoted].ShouldBe("registry.example/web:v2");

        // v3 measures 0.5: the analysis fails, the rollout aborts by itself, and v2 is back on all four replicas
        ClusterCliTests.FledgeWithInput(ns.Name, Canary("v3"), "apply", "-f", "-").Code.ShouldBe(0);
        var bad = ClusterCliTests.Fledge(ns.Name, "rollout", "status", "web", "--timeout", "2m");
        bad.Code.ShouldBe(1, bad + fledge.Output);
        await RollingUpdateTests.WaitForAsync(ns.Name, "web", s => s.Phase == "Degraded", fledge);
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while ((await client.AppsV1.ReadNamespacedReplicaSetAsync(promoted, ns.Name, cancellationToken: TestContext.Current.CancellationToken)).Spec.Replicas != 4)
        {
            DateTime.UtcNow.ShouldBeLessThan(deadline, fledge.Output);
            await Task.Delay(250, TestContext.Current.CancellationToken);
        }

        var described = ClusterCliTests.Fledge(ns.Name, "describe", "rollout", "web").Output;
        described.ShouldContain("error-rate");
        described.ShouldContain("Failed");
    }

    private static string Template(int port) => string.Create(CultureInfo.InvariantCulture, $$"""
        apiVersion: fledge.io/v1alpha1
        kind: AnalysisTemplate
        metadata:
          name: error-rate
        spec:
          args:
          - name: version
          metrics:
          - name: error-rate
            interval: 1s
            count: 2
            successCondition: result < 0.05
            failureCondition: result >= 0.1
            provider:
              web:
                url: "http://127.0.0.1:{{port}}/{{"{{"}}args.version{{"}}"}}"
                jsonPath: "{$.errorRate}"
        """);

    private static string Canary(string version) => $$"""
        apiVersion: fledge.io/v1alpha1
        kind: Rollout
        metadata:
          name: web
        spec:
          replicas: 4
          selector:
            matchLabels: {app: web}
          strategy:
            canary:
              abortScaleDownDelaySeconds: 0
              steps:
              - setWeight: 50
              - analysis:
                  templates:
                  - templateName: error-rate
                  args:
                  - name: version
                    value: {{version}}
          template:
            metadata:
              labels: {app: web}
            spec:
              containers:
              - name: web
                image: registry.example/web:{{version}}
        """;

    /// <summary>An HTTP server answering GET /VERSION with {"errorRate": N}, counting the requests of each version.</summary>
    private sealed class ErrorRates : IAsyncDisposable
    {
        private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
        private readonly Dictionary<string, double> _rates;
        private readonly Dictionary<string, int> _requests = new(StringComparer.Ordinal);
        private readonly CancellationTokenSource _stop = new();
        private Task _loop = Task.CompletedTask;

        private ErrorRates(Dictionary<string, double> rates) => _rates = rates;

        public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

        public static ErrorRates Start(Dictionary<string, double> rates)
        {
            var server = new ErrorRates(rates);
            server._listener.Start();
            server._loop = server.ServeAsync();
            return server;
        }

        public int Requests(string version)
        {
            lock (_requests)
            {
                return _requests.GetValueOrDefault(version);
            }
        }

        private async Task ServeAsync()
        {
            try
            {
                while (!_stop.IsCancellationRequested)
                {
                    using var connection = await _listener.AcceptTcpClientAsync(_stop.Token);
                    var stream = connection.GetStream();
                    var reader = new StreamReader(stream, Encoding.ASCII);
                    var request = await reader.ReadLineAsync(_stop.Token) ?? "";
                    while (await reader.ReadLineAsync(_stop.Token) is { Length: > 0 })
                    {
                    }

                    var version = request.Split(' ').ElementAtOrDefault(1)?.Trim('/') ?? "";
                    lock (_requests)
                    {
                        _requests[version] = _requests.GetValueOrDefault(version) + 1;
                    }

                    var body = _rates.TryGetValue(version, out var rate) ? string.Create(CultureInfo.InvariantCulture, $"{{\"errorRate\": {rate}}}") : "{}";
                    var answer = $"HTTP/1.1 {(body == "{}" ? "404 Not Found" : "200 OK")}\r\nContent-Type: application/json\r\nContent-Length: {body.Length}\r\nConnection: close\r\n\r\n{body}";
                    await stream.WriteAsync(Encoding.ASCII.GetBytes(answer), _stop.Token);
                }
            }
            catch (OperationCanceledException)
            {
            }
        }

        public async ValueTask DisposeAsync()
        {
            await _stop.CancelAsync();
            _listener.Stop();
            await _loop;
            _stop.Dispose();
        }
    }
}
