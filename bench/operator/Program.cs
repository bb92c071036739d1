using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using k8s;
using k8s.Models;

// The operator at scale, on a real API server (bench/operator/run.sh starts one): N Rollouts created at once and
// reconciled by a fresh operator (passes per second), the operator's memory with them, the time a restarted
// operator takes to reconcile all of them again, and the latency from a change of one Rollout to the operator's
// first write for it (a new ReplicaSet), as the median and 90th percentile of M changes.
// Usage: Fledge.OperatorBench KUBECONFIG FLEDGE_DLL [ROLLOUTS=1000] [CHANGES=50]
var kubeconfig = args[0];
var fledgeDll = args[1];
var count = args.Length > 2 ? int.Parse(args[2], CultureInfo.InvariantCulture) : 1000;
var changes = args.Length > 3 ? int.Parse(args[3], CultureInfo.InvariantCulture) : 50;
var client = new Kubernetes(KubernetesClientConfiguration.BuildConfigFromConfigFile(kubeconfig));
var ns = $"bench-{DateTime.UtcNow:HHmmss}";
await client.CoreV1.CreateNamespaceAsync(new V1Namespace { Metadata = new V1ObjectMeta { Name = ns } });
var report = new StringBuilder();
var load = File.ReadAllText("/proc/loadavg").Split(' ')[..3];

JsonObject Rollout(int i, string image) => new()
{
    ["apiVersion"] = "fledge.io/v1alpha1",
    ["kind"] = "Rollout",
    ["metadata"] = new JsonObject { ["name"] = $"r{i:D4}", ["namespace"] = ns },
    ["spec"] = new JsonObject
    {
        // No replicas: the operator's work (ReplicaSets, revisions, status) without a thousand pods for the
        // control plane's ReplicaSet controller to make on two cores.
        ["replicas"] = 0,
        ["selector"] = new JsonObject { ["matchLabels"] = new JsonObject { ["app"] = $"r{i:D4}" } },
        ["template"] = new JsonObject
        {
            ["metadata"] = new JsonObject { ["labels"] = new JsonObject { ["app"] = $"r{i:D4}" } },
            ["spec"] = new JsonObject { ["containers"] = new JsonArray(new JsonObject { ["name"] = "app", ["image"] = image }) },
        },
    },
};

Console.Error.WriteLine($"creating {count} Rollouts in {ns}...");
var creating = Stopwatch.StartNew();
await Parallel.ForEachAsync(Enumerable.Range(0, count), new ParallelOptions { MaxDegreeOfParallelism = 16 }, async (i, cancel) =>
    await client.CustomObjects.CreateNamespacedCustomObjectAsync(Rollout(i, "registry.example/app:v1"), "fledge.io", "v1alpha1", ns, "rollouts", cancellationToken: cancel));
Console.Error.WriteLine($"created in {creating.Elapsed.TotalSeconds:0.0} s");

// A fresh operator: until every Rollout has its status for generation 1
var started = Stopwatch.StartNew();
var (operatorProcess, port) = await StartOperatorAsync();
await UntilAsync(async () => (await ObservedAsync()) >= count, TimeSpan.FromMinutes(10));
var initial = started.Elapsed;
await Task.Delay(3000);
var rss = Rss(operatorProcess.Id);
Console.Error.WriteLine($"all {count} reconciled in {initial.TotalSeconds:0.0} s; operator RSS {rss / 1048576.0:0} MiB");

// Restarts, as a new pod of the operator's Deployment takes over: how long until it has reconciled every Rollout once.
// After SIGTERM the old operator gives its Lease up; after SIGKILL the new one waits for the Lease to expire (15 s).
using var http = new HttpClient();
async Task<TimeSpan> RestartAsync(bool graceful, string identity)
{
    if (graceful)
    {
        using var term = Process.Start("kill", ["-TERM", operatorProcess.Id.ToString(CultureInfo.InvariantCulture)]);
        await term.WaitForExitAsync();
    }
    else
    {
        operatorProcess.Kill(entireProcessTree: true);
    }

    await operatorProcess.WaitForExitAsync();
    var restarted = Stopwatch.StartNew();
    (operatorProcess, port) = await StartOperatorAsync(identity);
    await UntilAsync(async () => await ReconcilesAsync() >= count, TimeSpan.FromMinutes(10));
    Console.Error.WriteLine($"{(graceful ? "SIGTERM" : "SIGKILL")}: the next operator reconciled all {count} in {restarted.Elapsed.TotalSeconds:0.0} s");
    return restarted.Elapsed;
}

var afterRestart = await RestartAsync(graceful: true, "bench-2");
var afterKill = await RestartAsync(graceful: false, "bench-3");

// Latency: change one Rollout's image, time until the operator's ReplicaSet for it is seen
var created = new ConcurrentDictionary<string, DateTime>();
using var stopWatch = new CancellationTokenSource();
var watch = Task.Run(async () =>
{
    try
    {
        await foreach (var (type, rs) in client.AppsV1.WatchListNamespacedReplicaSetAsync(ns, cancellationToken: stopWatch.Token))
        {
            if (type == WatchEventType.Added)
            {
                created.TryAdd(rs.Metadata.Name, DateTime.UtcNow);
            }
        }
    }
    catch (OperationCanceledException)
    {
    }
});
await Task.Delay(1000);
var latencies = new List<double>();
var random = new Random(7);
for (var c = 0; c < changes; c++)
{
    var name = $"r{random.Next(count):D4}";
    var before = created.Count;
    var patch = new V1Patch($"{{\"spec\":{{\"template\":{{\"spec\":{{\"containers\":[{{\"name\":\"app\",\"image\":\"registry.example/app:c{c}\"}}]}}}}}}}}", V1Patch.PatchType.MergePatch);
    var sent = DateTime.UtcNow;
    await client.CustomObjects.PatchNamespacedCustomObjectAsync(patch, "fledge.io", "v1alpha1", ns, "rollouts", name);
    await UntilAsync(() => Task.FromResult(created.Count > before), TimeSpan.FromSeconds(30));
    latencies.Add((created.Values.Max() - sent).TotalMilliseconds);
    await Task.Delay(200);
}

await stopWatch.CancelAsync();
await watch;
operatorProcess.Kill(entireProcessTree: true);
await client.CoreV1.DeleteNamespaceAsync(ns);
latencies.Sort();
double Percentile(double p) => latencies[(int)Math.Min(latencies.Count - 1, Math.Round(p * (latencies.Count - 1)))];

report.AppendLine(CultureInfo.InvariantCulture, $"# fledge operator with {count} Rollouts ({DateTime.UtcNow:yyyy-MM-dd HH:mm}Z)\n");
report.AppendLine(CultureInfo.InvariantCulture, $"Load average at the start: {string.Join(" ", load)}; {Environment.ProcessorCount} cores; the test control plane (etcd, kube-apiserver, kube-controller-manager v1.20) on the same machine.\n");
report.AppendLine("| measure | value |");
report.AppendLine("|---|---|");
report.AppendLine(CultureInfo.InvariantCulture, $"| {count} new Rollouts reconciled by a fresh operator (ReplicaSet, revision, status each) | {initial.TotalSeconds:0.0} s ({count / initial.TotalSeconds:0} rollouts/s) |");
report.AppendLine(CultureInfo.InvariantCulture, $"| operator memory (RSS) with {count} Rollouts | {rss / 1048576.0:0} MiB |");
report.AppendLine(CultureInfo.InvariantCulture, $"| operator stopped (SIGTERM, the Lease given up), the next one: start to every Rollout reconciled once | {afterRestart.TotalSeconds:0.0} s |");
report.AppendLine(CultureInfo.InvariantCulture, $"| operator killed (SIGKILL), the next one: the same, after the Lease expires | {afterKill.TotalSeconds:0.0} s |");
report.AppendLine(CultureInfo.InvariantCulture, $"| a Rollout's change to its new ReplicaSet (median of {changes}) | {Percentile(0.5):0} ms |");
report.AppendLine(CultureInfo.InvariantCulture, $"| the same, 90th percentile | {Percentile(0.9):0} ms |");
Console.Write(report);
return 0;

async Task<(Process Process, int Port)> StartOperatorAsync(string identity = "bench")
{
    var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
    foreach (var argument in new[] { fledgeDll, "operator", "--kubeconfig", kubeconfig, "-n", ns, "--health-port", "0", "--health-address", "127.0.0.1",
        "--identity", identity, "--lease-namespace", ns, "--argoproj=false" })
    {
        start.ArgumentList.Add(argument);
    }

    var process = Process.Start(start)!;
    var ready = new TaskCompletionSource<int>();
    void Read(object? sender, DataReceivedEventArgs e)
    {
        // "fledge operator: ..., probes and metrics http://127.0.0.1:PORT/"
        if (e.Data?.IndexOf("http://127.0.0.1:", StringComparison.Ordinal) is { } at and >= 0)
        {
            ready.TrySetResult(int.Parse(e.Data[(at + 17)..].TrimEnd('/'), CultureInfo.InvariantCulture));
        }
    }

    process.OutputDataReceived += Read;
    process.ErrorDataReceived += Read;
    process.BeginOutputReadLine();
    process.BeginErrorReadLine();
    return (process, await ready.Task.WaitAsync(TimeSpan.FromSeconds(60)));
}

async Task<int> ObservedAsync()
{
    var list = await client.CustomObjects.ListNamespacedCustomObjectAsync<JsonObject>("fledge.io", "v1alpha1", ns, "rollouts");
    return list["items"]!.AsArray().Count(i => i?["status"]?["observedGeneration"]?.GetValue<long>() >= 1);
}

async Task<long> ReconcilesAsync()
{
    try
    {
        var text = await http.GetStringAsync($"http://127.0.0.1:{port}/metrics");
        var line = text.Split('\n').FirstOrDefault(l => l.StartsWith("fledge_operator_reconciles_total ", StringComparison.Ordinal));
        return line is null ? 0 : (long)double.Parse(line.Split(' ')[1], CultureInfo.InvariantCulture);
    }
    catch (HttpRequestException)
    {
        return 0;
    }
}

static long Rss(int pid) =>
    long.Parse(File.ReadLines($"/proc/{pid}/status").First(l => l.StartsWith("VmRSS:", StringComparison.Ordinal)).Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) * 1024;

static async Task UntilAsync(Func<Task<bool>> done, TimeSpan limit)
{
    var deadline = DateTime.UtcNow + limit;
    while (!await done())
    {
        if (DateTime.UtcNow > deadline)
        {
            throw new TimeoutException($"not done within {limit}");
        }

        await Task.Delay(50);
    }
}
