using Fledge.Core;
using System.Collections.Immutable;
using System.CommandLine;
using System.Globalization;
using Fledge.Core.Analysis;
using Fledge.Cli.Input;
using Fledge.Cli.Output;
using Fledge.Core.Rollouts;
using Fledge.Simulation;

namespace Fledge.Cli.Commands;

/// <summary>`fledge simulate`: runs the planner on a virtual clock and shows the rollout's timeline.</summary>
internal static class SimulateCommand
{
    public static Command Create(CliContext context)
    {
        var files = CommonOptions.Files("Manifest files: the first is created at t=0, each later one is applied once the previous rollout settles");
        var readyAfter = new Option<string>("--ready-after")
        {
            Description = "How long after creation a replica becomes ready (e.g. 1s, 500ms, 1m)",
            DefaultValueFactory = _ => "1s",
        };
        var terminateAfter = new Option<string>("--terminate-after")
        {
            Description = "How long a replica takes to terminate once scaled away",
            DefaultValueFactory = _ => "0s",
        };
        var neverReady = new Option<string[]>("--never-ready")
        {
            Description = "Replicas of this image never become ready (repeatable)",
            Arity = ArgumentArity.ZeroOrMore,
        };
        var at = new Option<string[]>("--at")
        {
            Description = "Scripted event TIME:ACTION, ACTION one of scale=N, pause, resume, undo, undo=REVISION, apply=FILE, promote, promote-full, abort, retry (repeatable)",
            Arity = ArgumentArity.ZeroOrMore,
        };
        var metrics = new Option<string[]>("--metric")
        {
            Description = "Simulated analysis value NAME=VALUE@IMAGE: metric NAME reads VALUE while IMAGE is the canary (repeatable)",
            Arity = ArgumentArity.ZeroOrMore,
        };
        var output = CommonOptions.Output();
        var command = new Command("simulate", "Show what a rollout or CanaryDeployment will do, step by step, on a virtual clock (no processes are started). " +
            "Exit codes: 0 the release ended healthy (Complete, Ready, or Paused waiting for a person); 1 it did not (Aborted, " +
            "ProgressDeadlineExceeded, Stalled, or a CanaryDeployment Failed its check); 2 bad input")
        {
            files, readyAfter, terminateAfter, neverReady, at, metrics, output,
        };
        command.SetAction(parse => Run(context, new Request(
            parse.GetValue(files) ?? [],
            parse.GetValue(readyAfter)!,
            parse.GetValue(terminateAfter)!,
            parse.GetValue(neverReady) ?? [],
            parse.GetValue(at) ?? [],
            parse.GetValue(metrics) ?? [],
            CommonOptions.Format(parse.GetValue(output)))));
        return command;
    }

    /// <summary>A Kanarini CanaryDeployment: each file is a version, applied once the previous one settled.</summary>
    private static int RunCanaryDeployment(CliContext context, Request request)
    {
        var errors = new List<string>();
        var versions = new List<Core.Kanarini.CanaryDeployment>();
        foreach (var file in request.Files)
        {
            var (deployment, fileErrors) = CanaryDeploymentFiles.Read(file);
            errors.AddRange(fileErrors);
            if (deployment is not null)
            {
                versions.Add(deployment);
            }
        }

        if (request.At.Length > 0)
        {
            errors.Add("--at: scripted events are for Rollouts; a CanaryDeployment simulation applies its files in order, each once the previous one settled");
        }

        errors.AddRange(versions.Skip(1).Where(v => v.Name != versions[0].Name)
            .Select(v => $"CanaryDeployment \"{v.Name}\" is not \"{versions[0].Name}\": every file given to one simulation must be a version of the same CanaryDeployment"));
        var (metricValues, readyAfter, terminateAfter) = Common(request, errors);
        if (errors.Count > 0 || versions.Count == 0)
        {
            return context.Fail(ExitCodes.InvalidInput, errors);
        }

        var result = CanaryDeploymentSimulator.Run(new CanaryDeploymentSimulationOptions(versions[0], versions.Skip(1).ToList())
        {
            ReadyAfter = readyAfter,
            TerminateAfter = terminateAfter,
            NeverReadyImages = request.NeverReady.ToHashSet(StringComparer.Ordinal),
            MetricValues = metricValues,
        });
        if (request.Output == OutputFormat.Json)
        {
            Json.Write(context.Output, result);
        }
        else
        {
            CanaryDeploymentSimulationTable.Render(context.Console, versions[0], result);
        }

        // Only a release that ends healthy is a success for a script: Failed (the check rolled the canary back) is not.
        return result.Result == "Ready" ? ExitCodes.Success : ExitCodes.RolloutFailed;
    }

    /// <summary>The options both kinds of simulation share: metric values, and how replicas start and stop.</summary>
    private static (Dictionary<(string, string), double> Metrics, TimeSpan ReadyAfter, TimeSpan TerminateAfter) Common(Request request, List<string> errors)
    {
        var metricValues = new Dictionary<(string, string), double>();
        foreach (var text in request.Metrics)
        {
            var equals = text.IndexOf('=', StringComparison.Ordinal);
            var at = text.LastIndexOf('@');
            if (equals <= 0 || at < equals || !double.TryParse(text[(equals + 1)..at], NumberStyles.Float, CultureInfo.InvariantCulture, out var value) || at == text.Length - 1)
            {
                errors.Add($"--metric \"{text}\": write NAME=VALUE@IMAGE, e.g. error-rate=0.3@fledge/hello:v2");
                continue;
            }

            metricValues[(text[..equals], text[(at + 1)..])] = value;
        }

        if (!Durations.TryParse(request.ReadyAfter, out var readyAfter))
        {
            errors.Add($"--ready-after: \"{request.ReadyAfter}\" is not a duration (write 1s, 500ms or 1m)");
        }

        if (!Durations.TryParse(request.TerminateAfter, out var terminateAfter))
        {
            errors.Add($"--terminate-after: \"{request.TerminateAfter}\" is not a duration (write 0s, 2s or 30s)");
        }

        return (metricValues, readyAfter, terminateAfter);
    }

    private sealed record Request(string[] Files, string ReadyAfter, string TerminateAfter, string[] NeverReady, string[] At, string[] Metrics, OutputFormat Output);

    private static int Run(CliContext context, Request request)
    {
        if (request.Files.Length > 0 && CanaryDeploymentFiles.Holds(request.Files[0]))
        {
            return RunCanaryDeployment(context, request);
        }

        var errors = new List<string>();
        var rollouts = new List<Rollout>();
        var templates = ImmutableDictionary.CreateBuilder<string, AnalysisTemplate>();
        foreach (var file in request.Files)
        {
            var (rollout, fileTemplates, fileErrors) = RolloutFiles.Read(file);
            errors.AddRange(fileErrors);
            foreach (var template in fileTemplates)
            {
                templates[template.Name] = template;
            }

            if (rollout is not null)
            {
                rollouts.Add(rollout);
            }
        }

        var (metricValues, readyAfter, terminateAfter) = Common(request, errors);

        var events = new List<ScriptedEvent>();
        foreach (var text in request.At)
        {
            if (!ScriptedEvent.TryParse(text, out var scripted, out var error))
            {
                errors.Add(error);
                continue;
            }

            if (scripted!.File is { } file)
            {
                var (rollout, fileErrors) = RolloutFiles.ReadOne(file);
                errors.AddRange(fileErrors);
                scripted = scripted with { Manifest = rollout };
            }

            events.Add(scripted);
        }

        if (rollouts.Count > 0)
        {
            var name = rollouts[0].Name;
            errors.AddRange(rollouts.Skip(1).Concat(events.Select(e => e.Manifest).OfType<Rollout>())
                .Where(r => r.Name != name)
                .Select(r => $"rollout \"{r.Name}\" is not \"{name}\": every file given to one simulation must be a version of the same rollout"));
        }

        if (errors.Count > 0 || rollouts.Count == 0)
        {
            return context.Fail(ExitCodes.InvalidInput, errors);
        }

        var options = new SimulationOptions(rollouts[0], rollouts.Skip(1).ToList())
        {
            ReadyAfter = readyAfter,
            TerminateAfter = terminateAfter,
            NeverReadyImages = request.NeverReady.ToHashSet(StringComparer.Ordinal),
            Events = events,
            Templates = templates.ToImmutable(),
            MetricValues = metricValues,
        };
        var result = Simulator.Run(options);
        if (request.Output == OutputFormat.Json)
        {
            Json.Write(context.Output, result);
        }
        else
        {
            SimulationTable.Render(context.Console, rollouts[0], result);
        }

        // Paused is where a person was asked to decide (a pause step, or --at TIME:pause), not a failure.
        return result.Result is SimulationOutcome.Complete or SimulationOutcome.Paused ? ExitCodes.Success : ExitCodes.RolloutFailed;
    }
}
