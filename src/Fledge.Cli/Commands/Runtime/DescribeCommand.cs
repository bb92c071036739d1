using System.CommandLine;
using Fledge.Local.Api;
using Spectre.Console;

namespace Fledge.Cli.Commands.Runtime;

/// <summary>`fledge describe rollout NAME`: status, conditions, replica sets, replicas with their problems, recent events.</summary>
internal static class DescribeCommand
{
    public static Command Create(CliContext context, Option<string> dataDirectory)
    {
        var kind = new Argument<string>("kind") { Description = "rollout (or deployment)" };
        var name = new Argument<string>("name") { Description = "The rollout's name" };
        var command = new Command("describe", "Show a rollout in detail: status, conditions, replica sets, replicas and recent events") { kind, name };
        command.SetAction(parse => RuntimeCall.Run(context, parse.GetValue(dataDirectory)!, async client =>
        {
            if (parse.GetValue(kind)!.ToLowerInvariant() is not ("rollout" or "rollouts" or "ro" or "deployment" or "deployments" or "deploy"))
            {
                return context.Fail(ExitCodes.InvalidInput, [$"describe shows rollouts; `fledge get {parse.GetValue(kind)}` lists the others"]);
            }

            var detail = await client.GetAsync<RolloutDetail>($"v1/rollouts/{Uri.EscapeDataString(parse.GetValue(name)!)}");
            Render(context.Console, detail, DateTimeOffset.UtcNow);
            return ExitCodes.Success;
        }));
        return command;
    }

    private static void Render(IAnsiConsole console, RolloutDetail detail, DateTimeOffset now)
    {
        var r = detail.Rollout;
        var unavailable = Math.Max(0, r.CurrentReplicas - r.AvailableReplicas);
        var grid = new Grid().AddColumn(new GridColumn().NoWrap()).AddColumn();
        void Row(string label, string value) => grid.AddRow(new Text(label + ":"), new Text(value));
        Row("Name", r.Name);
        Row("Kind", r.Kind);
        Row("Created", $"{r.CreatedAt:u} ({Age.Since(r.CreatedAt, now)} ago)");
        Row("Selector", detail.Selector);
        Row("Replicas", $"{r.Replicas} desired | {r.UpdatedReplicas} updated | {r.CurrentReplicas} total | {r.AvailableReplicas} available | {unavailable} unavailable");
        Row("StrategyType", r.Strategy);
        Row("MinReadySeconds", detail.MinReadySeconds.ToString(System.Globalization.CultureInfo.InvariantCulture));
        if (detail.MaxSurge is not null)
        {
            Row("RollingUpdateStrategy", $"{detail.MaxUnavailable} max unavailable, {detail.MaxSurge} max surge");
        }

        Row("ProgressDeadline", detail.ProgressDeadlineSeconds is { } deadline ? $"{deadline}s" : "none");
        Row("Revision", $"{r.Revision} (generation {r.Generation}, observed {r.ObservedGeneration})");
        Row("Paused", r.Paused ? "yes" : "no");
        if (r.Canary is { } canary)
        {
            Row("Phase", canary.Message.Length > 0 ? $"{canary.Phase}: {canary.Message}" : canary.Phase);
            if (canary.Steps > 0)
            {
                Row("Step", $"{canary.Step}/{canary.Steps}");
            }

            Row("Canary weight", $"{canary.Weight}% ({(canary.TrafficRouted ? "exact, by the Service proxy" : "by replica count")})");
            Row("Stable", canary.StableReplicaSet ?? "-");
            Row("Canary", canary.CanaryReplicaSet ?? "-");
        }
        console.Write(grid);

        console.WriteLine();
        console.MarkupLine("[bold]Conditions:[/]");
        var conditions = Tables.New("TYPE", "STATUS", "REASON", "MESSAGE");
        foreach (var c in r.Conditions)
        {
            var colour = c.Status == "True" ? "green" : c.Status == "False" ? "red" : "yellow";
            conditions.AddRow(Markup.Escape(c.Type), $"[{colour}]{c.Status}[/]", Markup.Escape(c.Reason), Markup.Escape(c.Message));
        }

        console.Write(conditions);
        console.WriteLine();
        console.MarkupLine("[bold]Replica sets:[/]");
        console.Write(Tables.ReplicaSets(detail.ReplicaSets, now, wide: true));
        console.WriteLine();
        console.MarkupLine("[bold]Replicas:[/]");
        console.Write(Tables.Pods(detail.Pods, now, wide: true));
        console.WriteLine();
        console.MarkupLine("[bold]Events:[/]");
        var events = Tables.New("TYPE", "REASON", "AGE", "MESSAGE");
        foreach (var e in detail.Events)
        {
            events.AddRow(Markup.Escape(e.Type), Markup.Escape(e.Reason), Age.Since(e.At, now), Markup.Escape(e.Message));
        }

        console.Write(events);
    }
}
