using Fledge.Core;
using System.CommandLine;
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
        var output = CommonOptions.Output();
        var command = new Command("simulate", "Show what a rollout will do, step by step, on a virtual clock (no processes are started)")
        {
            files, readyAfter, terminateAfter, neverReady, at, output,
        };
        command.SetAction(parse => Run(context, new Request(
            parse.GetValue(files) ?? [],
            parse.GetValue(readyAfter)!,
            parse.GetValue(terminateAfter)!,
            parse.GetValue(neverReady) ?? [],
            parse.GetValue(at) ?? [],
            CommonOptions.Format(parse.GetValue(output)))));
        return command;
    }

    private sealed record Request(string[] Files, string ReadyAfter, string TerminateAfter, string[] NeverReady, string[] At, OutputFormat Output);

    private static int Run(CliContext context, Request request)
    {
        var errors = new List<string>();
        var rollouts = new List<Rollout>();
        foreach (var file in request.Files)
        {
            var (rollout, fileErrors) = RolloutFiles.ReadOne(file);
            errors.AddRange(fileErrors);
            if (rollout is not null)
            {
                rollouts.Add(rollout);
            }
        }

        if (!Durations.TryParse(request.ReadyAfter, out var readyAfter))
        {
            errors.Add($"--ready-after: \"{request.ReadyAfter}\" is not a duration (write 1s, 500ms or 1m)");
        }

        if (!Durations.TryParse(request.TerminateAfter, out var terminateAfter))
        {
            errors.Add($"--terminate-after: \"{request.TerminateAfter}\" is not a duration (write 0s, 2s or 30s)");
        }

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

        return result.Result is SimulationOutcome.Complete or SimulationOutcome.Paused or SimulationOutcome.Aborted ? ExitCodes.Success : ExitCodes.RolloutFailed;
    }
}
