using System.Collections.Immutable;
using System.CommandLine;
using System.Globalization;
using Fledge.Cli.Output;
using Fledge.Core.Manifests;
using Fledge.Core.Planning;
using Fledge.Core.Rollouts;
using k8s.Models;

namespace Fledge.Cli.Commands;

/// <summary>
/// `fledge plan`: reads a rollout with its replica sets (as `kubectl get deploy,rs -o yaml` prints them)
/// and shows what the controller will do in its next pass, and why.
/// </summary>
internal static class PlanCommand
{
    public static Command Create(CliContext context)
    {
        var files = CommonOptions.Files("State files: a Rollout or Deployment and its ReplicaSets (a List, or several documents)");
        var name = new Option<string?>("--name") { Description = "The rollout to plan when the files hold several" };
        var now = new Option<string?>("--now") { Description = "The time of the pass (RFC 3339); defaults to the current time" };
        var output = CommonOptions.Output();
        var command = new Command("plan", "Show the actions of the next reconcile pass for a rollout and its replica sets, with the reason for each")
        {
            files, name, now, output,
        };
        command.SetAction(parse => Run(context, parse.GetValue(files) ?? [], parse.GetValue(name), parse.GetValue(now),
            CommonOptions.Format(parse.GetValue(output))));
        return command;
    }

    private static int Run(CliContext context, string[] files, string? name, string? nowText, OutputFormat format)
    {
        var errors = new List<string>();
        var objects = new List<ManifestObject>();
        foreach (var file in files)
        {
            var loaded = ManifestLoader.LoadFile(file);
            errors.AddRange(loaded.Errors.Select(e => e.ToString()));
            objects.AddRange(loaded.Objects);
        }

        var now = DateTimeOffset.UtcNow;
        if (nowText is not null && !DateTimeOffset.TryParse(nowText, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out now))
        {
            errors.Add($"--now: \"{nowText}\" is not a time; write it as RFC 3339, e.g. 2026-01-02T15:04:05Z");
        }

        var rollouts = objects.Where(o => RolloutReader.IsRollout(o) && (name is null || o.Name == name)).ToList();
        if (errors.Count == 0 && rollouts.Count != 1)
        {
            errors.Add(rollouts.Count == 0
                ? name is null ? "no Rollout or Deployment found in the files" : $"no Rollout or Deployment named \"{name}\" in the files"
                : $"the files hold {rollouts.Count} rollouts ({string.Join(", ", rollouts.Select(r => r.Display))}); choose one with --name");
        }

        if (errors.Count > 0)
        {
            return context.Fail(ExitCodes.InvalidInput, errors);
        }

        var (rollout, rolloutErrors) = RolloutReader.Read(rollouts[0]);
        if (rollout is null)
        {
            return context.Fail(ExitCodes.InvalidInput, rolloutErrors.Select(e => e.ToString()));
        }

        var replicaSets = objects
            .Select(o => o.Resource)
            .OfType<V1ReplicaSet>()
            .Where(rs => ReplicaSetReader.BelongsTo(rs, rollout.Name, rollout.Spec.Selector))
            .Select(ReplicaSetReader.Read)
            .ToImmutableArray();
        var plan = Planner.Plan(new RolloutSnapshot(rollout, replicaSets, now));
        if (format == OutputFormat.Json)
        {
            Json.Write(context.Output, PlanView.From(rollout, plan));
        }
        else
        {
            PlanTable.Render(context.Console, rollout, replicaSets, plan);
        }

        return ExitCodes.Success;
    }
}
