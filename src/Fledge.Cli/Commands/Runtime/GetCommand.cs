using System.CommandLine;
using System.Globalization;
using Fledge.Cli.Output;
using Fledge.Local.Api;
using Fledge.Local.Replicas;
using Spectre.Console;

namespace Fledge.Cli.Commands.Runtime;

/// <summary>`fledge get rollouts|replicasets|pods|services [NAME] [-o wide|json|yaml]`.</summary>
internal static class GetCommand
{
    public static Command Create(CliContext context, Option<string> dataDirectory)
    {
        var kind = new Argument<string>("kind") { Description = "rollouts, canarydeployments, replicasets, pods or services (singular and short forms work: cd, rs, po, svc, deploy)" };
        var name = new Argument<string?>("name") { Description = "Only this object", Arity = ArgumentArity.ZeroOrOne };
        var output = new Option<string>("--output", "-o") { Description = "table (default), wide, json or yaml", DefaultValueFactory = _ => "table" };
        output.AcceptOnlyFromAmong("table", "wide", "json", "yaml");
        var command = new Command("get", "List objects of the running runtime") { kind, name, output };
        command.SetAction(parse => RuntimeCall.Run(context, parse.GetValue(dataDirectory)!, async client =>
        {
            var format = parse.GetValue(output)!;
            var only = parse.GetValue(name);
            var now = DateTimeOffset.UtcNow;
            object items;
            Table table;
            switch (parse.GetValue(kind)!.ToLowerInvariant())
            {
                case "rollouts" or "rollout" or "ro" or "deployments" or "deployment" or "deploy":
                    var rollouts = (await client.GetAsync<RolloutList>("v1/rollouts")).Items.Where(r => only is null || r.Name == only).ToList();
                    items = rollouts;
                    table = Tables.Rollouts(rollouts, now, format == "wide");
                    break;
                case "replicasets" or "replicaset" or "rs":
                    var sets = (await client.GetAsync<ReplicaSetList>("v1/replicasets")).Items.Where(r => only is null || r.Name == only).ToList();
                    items = sets;
                    table = Tables.ReplicaSets(sets, now, format == "wide");
                    break;
                case "pods" or "pod" or "po":
                    var pods = (await client.GetAsync<PodList>("v1/pods")).Items.Where(p => only is null || p.Name == only).ToList();
                    items = pods;
                    table = Tables.Pods(pods, now, format == "wide");
                    break;
                case "canarydeployments" or "canarydeployment" or "cd":
                    var canaries = (await client.GetAsync<CanaryDeploymentList>("v1/canarydeployments")).Items.Where(c => only is null || c.Name == only).ToList();
                    items = canaries;
                    table = Tables.CanaryDeployments(canaries, now, format == "wide");
                    break;
                case "services" or "service" or "svc":
                    var services = (await client.GetAsync<ServiceList>("v1/services")).Items.Where(s => only is null || s.Name == only).ToList();
                    items = services;
                    table = Tables.Services(services, now);
                    break;
                default:
                    return context.Fail(ExitCodes.InvalidInput, [$"the server doesn't have a resource type \"{parse.GetValue(kind)}\"; use rollouts, canarydeployments, replicasets, pods or services"]);
            }

            if (only is not null && ((System.Collections.ICollection)items).Count == 0)
            {
                return context.Fail(ExitCodes.RolloutFailed, [$"{parse.GetValue(kind)} \"{only}\" not found"]);
            }

            switch (format)
            {
                case "json":
                    Json.Write(context.Output, new { items });
                    break;
                case "yaml":
                    YamlOutput.Write(context.Output, new { items });
                    break;
                default:
                    context.Console.Write(table);
                    break;
            }

            return ExitCodes.Success;
        }));
        return command;
    }
}

/// <summary>The tables `get` and `describe` print, with kubectl's columns.</summary>
internal static class Tables
{
    public static Table Rollouts(IEnumerable<RolloutSummary> rollouts, DateTimeOffset now, bool wide)
    {
        var table = New("NAME", "READY", "UP-TO-DATE", "AVAILABLE", "AGE");
        if (wide)
        {
            table.AddColumns("STRATEGY", "REVISION", "PHASE", "STEP", "WEIGHT", "IMAGES");
        }

        foreach (var r in rollouts)
        {
            var row = new List<string> { r.Name, $"{r.ReadyReplicas}/{r.Replicas}", N(r.UpdatedReplicas), N(r.AvailableReplicas), Age.Since(r.CreatedAt, now) };
            if (wide)
            {
                row.AddRange([r.Strategy, N(r.Revision), r.Canary?.Phase ?? "-", r.Canary is { Steps: > 0 } c ? $"{c.Step}/{c.Steps}" : "-",
                    r.Canary is { } w ? $"{w.Weight}%" : "-", string.Join(",", r.Images)]);
            }

            table.AddRow(row.Select(Markup.Escape).ToArray());
        }

        return table;
    }

    public static Table CanaryDeployments(IEnumerable<CanaryDeploymentSummary> canaries, DateTimeOffset now, bool wide)
    {
        var table = New("NAME", "PHASE", "CANARY", "STABLE", "IMAGE", "AGE");
        if (wide)
        {
            table.AddColumns("CANARY-IMAGE", "STABLE-IMAGE", "LAST-GOOD", "MESSAGE");
        }

        foreach (var c in canaries)
        {
            var colour = c.Phase switch { Core.Kanarini.CanaryDeploymentPhases.Ready => "green", Core.Kanarini.CanaryDeploymentPhases.Failed => "red", _ => "yellow" };
            var row = new List<string>
            {
                Markup.Escape(c.Name), $"[{colour}]{c.Phase}[/]", $"{c.Canary.Ready}/{c.Canary.Replicas}", $"{c.Stable.Ready}/{c.Stable.Replicas}",
                Markup.Escape(c.Image), Age.Since(c.CreatedAt, now),
            };
            if (wide)
            {
                row.AddRange(new[] { c.Canary.Image ?? "-", c.Stable.Image ?? "-", c.LatestSuccessful ?? "-", c.Message }.Select(Markup.Escape));
            }

            table.AddRow(row.ToArray());
        }

        return table;
    }

    public static Table ReplicaSets(IEnumerable<ReplicaSetSummary> sets, DateTimeOffset now, bool wide)
    {
        var table = New("NAME", "DESIRED", "CURRENT", "READY", "AGE");
        if (wide)
        {
            table.AddColumns("REVISION", "IMAGE", "ROLLOUT");
        }

        foreach (var rs in sets)
        {
            var row = new List<string> { rs.Name, N(rs.Desired), N(rs.Current), N(rs.Ready), Age.Since(rs.CreatedAt, now) };
            if (wide)
            {
                row.AddRange([N(rs.Revision), rs.Image, rs.Rollout]);
            }

            table.AddRow(row.Select(Markup.Escape).ToArray());
        }

        return table;
    }

    public static Table Pods(IEnumerable<ReplicaView> pods, DateTimeOffset now, bool wide)
    {
        var table = New("NAME", "READY", "STATUS", "RESTARTS", "AGE");
        if (wide)
        {
            table.AddColumns("PORT", "PID", "REVISION", "MESSAGE");
        }

        foreach (var p in pods)
        {
            var row = new List<string> { p.Name, p.Ready ? "1/1" : "0/1", p.Phase.ToString(), N(p.RestartCount), Age.Since(p.CreatedAt, now) };
            if (wide)
            {
                row.AddRange([N(p.Port), p.Pid is { } pid ? N(pid) : "-", N(p.Revision), p.Message ?? ""]);
            }

            table.AddRow(row.Select(Markup.Escape).ToArray());
        }

        return table;
    }

    public static Table Services(IEnumerable<Fledge.Local.Services.ServiceView> services, DateTimeOffset now)
    {
        var table = New("NAME", "PORT(S)", "SELECTOR", "ENDPOINTS", "AGE", "PROBLEM");
        foreach (var s in services)
        {
            table.AddRow(new[]
            {
                s.Name,
                string.Join(",", s.Ports.Select(p => $"127.0.0.1:{p}")),
                string.Join(",", s.Selector.Select(l => $"{l.Key}={l.Value}")),
                s.Endpoints.Count == 0 ? "<none>" : string.Join(",", s.Endpoints.Take(3).Select(e => e.Address.Replace("http://", "", StringComparison.Ordinal).TrimEnd('/'))) + (s.Endpoints.Count > 3 ? $" + {s.Endpoints.Count - 3} more..." : ""),
                Age.Since(s.CreatedAt, now),
                s.Problem ?? "",
            }.Select(Markup.Escape).ToArray());
        }

        return table;
    }

    public static Table New(params string[] columns) => new Table().Border(TableBorder.None).AddColumns(columns.Select(c => new TableColumn(c) { Padding = new Padding(0, 0, 3, 0) }).ToArray());

    private static string N(long value) => value.ToString(CultureInfo.InvariantCulture);
}
