using System.Diagnostics;
using System.Text.Json;
using Fledge.Core.Analysis;
using Fledge.Metrics;

namespace Fledge.Local.Analysis;

/// <summary>
/// Argo's job provider on one host: the Job's pod template runs as local processes (each container's command and args,
/// with its env, side by side, as a pod's containers run), and the measurement passes when every one exits 0.
/// backoffLimit gives a failed run that many more tries; activeDeadlineSeconds (or the measurement's timeout) ends it.
/// The value is 1 for a Job that succeeded and 0 for one that failed, which is what the metric is judged by when it has
/// no conditions of its own.
/// </summary>
public sealed class JobProvider(string workingDirectory) : IMetricProvider
{
    public string Kind => "job";

    public async Task<IReadOnlyList<double>> ReadAsync(AnalysisMetric metric, MeasureContext context, CancellationToken cancel)
    {
        var job = Parse(metric.Provider.Setting("spec"));
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancel);
        if (job.ActiveDeadline is { } active)
        {
            deadline.CancelAfter(active);
        }

        for (var attempt = 0; ; attempt++)
        {
            var exits = await Task.WhenAll(job.Containers.Select(c => RunAsync(c, deadline.Token)));
            if (exits.All(code => code == 0))
            {
                return [1];
            }

            if (attempt >= job.BackoffLimit)
            {
                return [0];
            }
        }
    }

    private async Task<int> RunAsync(JobContainer container, CancellationToken cancel)
    {
        var program = Replicas.Executables.Resolve(container.Command[0], Environment.GetEnvironmentVariable("PATH"), workingDirectory, out var reason)
            ?? throw new MetricProviderException($"job container \"{container.Name}\": cannot run \"{container.Command[0]}\": {reason}");
        var start = new ProcessStartInfo(program)
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in container.Command.Skip(1).Concat(container.Args))
        {
            start.ArgumentList.Add(argument);
        }

        foreach (var (name, value) in container.Env)
        {
            start.Environment[name] = value;
        }

        using var process = Process.Start(start) ?? throw new MetricProviderException($"job container \"{container.Name}\" did not start");
        var output = Task.WhenAll(process.StandardOutput.ReadToEndAsync(cancel), process.StandardError.ReadToEndAsync(cancel));
        try
        {
            await process.WaitForExitAsync(cancel);
            await output;
            return process.ExitCode;
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new MetricProviderException($"job container \"{container.Name}\" did not finish in time");
        }
    }

    private sealed record JobContainer(string Name, IReadOnlyList<string> Command, IReadOnlyList<string> Args, IReadOnlyList<(string Name, string Value)> Env);

    private sealed record Job(IReadOnlyList<JobContainer> Containers, int BackoffLimit, TimeSpan? ActiveDeadline);

    /// <summary>The Job spec as written (spec.template.spec.containers, backoffLimit, activeDeadlineSeconds).</summary>
    private static Job Parse(string json)
    {
        try
        {
            using var document = JsonDocument.Parse(json.Length == 0 ? "{}" : json);
            var spec = document.RootElement;
            var containers = new List<JobContainer>();
            if (spec.TryGetProperty("template", out var template) && template.TryGetProperty("spec", out var pod) && pod.TryGetProperty("containers", out var list))
            {
                foreach (var c in list.EnumerateArray())
                {
                    var name = c.TryGetProperty("name", out var n) ? n.GetString() ?? "" : "";
                    var command = Strings(c, "command");
                    if (command.Count == 0)
                    {
                        throw new MetricProviderException(
                            $"job container \"{name}\" has no command: on one host Fledge runs a container's command and args as a process (its image is not pulled)");
                    }

                    var env = c.TryGetProperty("env", out var e) && e.ValueKind == JsonValueKind.Array
                        ? e.EnumerateArray().Select(v => (v.GetProperty("name").GetString() ?? "", v.TryGetProperty("value", out var value) ? value.GetString() ?? "" : "")).ToList()
                        : [];
                    containers.Add(new JobContainer(name, command, Strings(c, "args"), env));
                }
            }

            if (containers.Count == 0)
            {
                throw new MetricProviderException("the job provider needs spec.template.spec.containers");
            }

            var backoff = Int(spec, "backoffLimit") ?? 6;
            TimeSpan? deadline = Int(spec, "activeDeadlineSeconds") is { } seconds ? TimeSpan.FromSeconds(seconds) : null;
            return new Job(containers, Math.Max(0, backoff), deadline);
        }
        catch (JsonException e)
        {
            throw new MetricProviderException($"the job provider's spec is not a Job spec: {e.Message}", e);
        }
    }

    private static int? Int(JsonElement element, string property) =>
        !element.TryGetProperty(property, out var value) ? null
        : value.ValueKind == JsonValueKind.Number && value.TryGetInt32(out var number) ? number
        : int.TryParse(value.ToString(), System.Globalization.CultureInfo.InvariantCulture, out var parsed) ? parsed : null;

    private static List<string> Strings(JsonElement element, string property) =>
        element.TryGetProperty(property, out var value) && value.ValueKind == JsonValueKind.Array ? [.. value.EnumerateArray().Select(v => v.ToString())] : [];
}
