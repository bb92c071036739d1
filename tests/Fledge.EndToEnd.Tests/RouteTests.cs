using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;

namespace Fledge.EndToEnd.Tests;

/// <summary>
/// Argo's setHeaderRoute and setMirrorRoute through the runtime's Service proxy: a header-matched request always reaches the
/// canary; a mirrored request reaches the canary too while the user gets the stable answer, without waiting for a slow canary.
/// </summary>
public sealed partial class RouteTests
{
    private const string Routing = "trafficRouting: {managedRoutes: [{name: testers}, {name: agents}, {name: shadow}]}";

    private static string Canary(string version, IEnumerable<string> steps, string? latencyMs = null) =>
        CanaryManifests.Rollout(version, steps, latencyMs: latencyMs).Replace("trafficRouting: {}", Routing, StringComparison.Ordinal);

    private static readonly string[] HeaderSteps =
    [
        "- setCanaryScale: {replicas: 1}",
        "- setHeaderRoute: {name: testers, match: [{headerName: X-Canary, headerValue: {exact: \"yes\"}}]}",
        "- setHeaderRoute: {name: agents, match: [{headerName: User-Agent, headerValue: {regex: \"tester/[0-9]+\"}}]}",
        "- pause: {}",
    ];

    private static async Task<Dictionary<string, int>> CountAsync(int port, int requests, params (string Name, string Value)[] headers)
    {
        using var http = new HttpClient();
        var counts = new Dictionary<string, int>();
        for (var i = 0; i < requests; i++)
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, new Uri($"http://127.0.0.1:{port}/"));
            foreach (var (name, value) in headers)
            {
                request.Headers.TryAddWithoutValidation(name, value);
            }

            using var response = await http.SendAsync(request, TestContext.Current.CancellationToken);
            var body = await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
            counts[body] = counts.GetValueOrDefault(body) + 1;
        }

        return counts;
    }

    [Fact(Timeout = 240_000)]
    public async Task HeaderRoute_SendsEveryMatchingRequestToTheCanaryUntilAborted()
    {
        await using var runtime = await RuntimeProcess.StartAsync();
        var port = RuntimeProcess.FreePort();
        runtime.Apply(Canary("v1", HeaderSteps) + "\n---\n" + Manifests.Service(port));
        runtime.WaitForRollout("hello");

        runtime.Apply(Canary("v2", HeaderSteps));
        await RestartTests.WaitUntilAsync(() => runtime.Fledge("get", "rollouts", "-o", "wide").Output.Contains("Paused", StringComparison.Ordinal));

        // The canary has no weight: only the header routes reach it, and every request they match does
        (await CountAsync(port, 100)).Keys.ShouldBe(["Hello World!\n"], ignoreOrder: false, customMessage: "no weight: nothing else reaches the canary");
        (await CountAsync(port, 100, ("X-Canary", "yes"))).Keys.ShouldBe(["Howdy World!\n"], ignoreOrder: false, customMessage: "exact match");
        (await CountAsync(port, 50, ("X-Canary", "yes please"))).Keys.ShouldBe(["Hello World!\n"], ignoreOrder: false, customMessage: "exact means exact");
        (await CountAsync(port, 100, ("User-Agent", "tester/42"))).Keys.ShouldBe(["Howdy World!\n"], ignoreOrder: false, customMessage: "regex match");
        (await CountAsync(port, 50, ("User-Agent", "tester/42b"))).Keys.ShouldBe(["Hello World!\n"], ignoreOrder: false, customMessage: "the regex matches the whole value");

        // Aborted: the routes end with the canary
        runtime.Fledge("rollout", "abort", "hello").Output.ShouldContain("aborted");
        await RestartTests.WaitUntilAsync(() => runtime.Fledge("get", "rollouts", "-o", "wide").Output.Contains("Degraded", StringComparison.Ordinal));
        (await CountAsync(port, 50, ("X-Canary", "yes"))).Keys.ShouldBe(["Hello World!\n"]);
    }

    [Fact(Timeout = 240_000)]
    public async Task MirrorRoute_CopiesRequestsToTheCanaryWhileUsersGetStableAnswersAtStableSpeed()
    {
        string[] steps =
        [
            "- setCanaryScale: {replicas: 1}",
            "- setMirrorRoute: {name: shadow, percentage: 50, match: [{method: {exact: GET}, path: {prefix: /}}]}",
            "- pause: {}",
        ];
        await using var runtime = await RuntimeProcess.StartAsync();
        var port = RuntimeProcess.FreePort();
        runtime.Apply(Canary("v1", steps) + "\n---\n" + Manifests.Service(port));
        runtime.WaitForRollout("hello");

        // A canary that takes 3 s to answer
        runtime.Apply(Canary("v2", steps, latencyMs: "3000"));
        await RestartTests.WaitUntilAsync(() => runtime.Fledge("get", "rollouts", "-o", "wide").Output.Contains("Paused", StringComparison.Ordinal));

        using var http = new HttpClient();
        var slowest = TimeSpan.Zero;
        for (var i = 0; i < 40; i++)
        {
            var started = Stopwatch.GetTimestamp();
            (await http.GetStringAsync(new Uri($"http://127.0.0.1:{port}/"), TestContext.Current.CancellationToken)).ShouldBe("Hello World!\n", "users get only stable answers");
            var elapsed = Stopwatch.GetElapsedTime(started);
            slowest = elapsed > slowest ? elapsed : slowest;
        }

        slowest.ShouldBeLessThan(TimeSpan.FromSeconds(3), "no user request waits for the canary's copy");

        // Half of the GETs were copied to the canary, which answered them (counted apart from the users' requests)
        await RestartTests.WaitUntilAsync(() => Mirrored(runtime) >= 20);
        Mirrored(runtime).ShouldBe(20);
        TestContext.Current.SendDiagnosticMessage($"mirror: 40 user requests, slowest {slowest.TotalMilliseconds:0} ms with a 3000 ms canary; 20 copies answered by the canary");
    }

    /// <summary>Copies of the stable Service's requests the canary (revision 2) answered with 2xx, from the runtime's /metrics.</summary>
    private static int Mirrored(RuntimeProcess runtime)
    {
        var url = MetricsUrl().Match(runtime.Output).Groups[1].Value;
        using var http = new HttpClient();
        var text = http.GetStringAsync(new Uri(url)).GetAwaiter().GetResult();
        var line = text.Split('\n').FirstOrDefault(l => l.StartsWith("fledge_service_mirrored_requests_total{", StringComparison.Ordinal)
            && l.Contains("service=\"hello\"", StringComparison.Ordinal) && l.Contains("revision=\"2\"", StringComparison.Ordinal) && l.Contains("code=\"2xx\"", StringComparison.Ordinal));
        return line is null ? 0 : (int)double.Parse(line[(line.LastIndexOf(' ') + 1)..], CultureInfo.InvariantCulture);
    }

    [GeneratedRegex(@"metrics (http://\S+/metrics)")]
    private static partial Regex MetricsUrl();
}
