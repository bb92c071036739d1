using System.CommandLine;
using System.Text.Json.Nodes;
using Fledge.Cli.Client;
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
        var kind = new Argument<string>("kind")
        {
            Description = "rollouts, canarydeployments, analysistemplates, replicasets, pods, services or events (singular and short forms work: ro, deploy, cd, at, rs, po, svc, ev)",
        };
        var name = new Argument<string?>("name") { Description = "Only this object", Arity = ArgumentArity.ZeroOrOne };
        var output = new Option<string>("--output", "-o")
        {
            Description = "table (default), wide, name, or json / yaml: Kubernetes objects (a List for several) that `fledge apply -f -` takes back",
            DefaultValueFactory = _ => "table",
        };
        output.AcceptOnlyFromAmong("table", "wide", "name", "json", "yaml");
        var involved = new Option<string?>("--for") { Description = "events: only those of this object, KIND/NAME (rollout/hello)" };
        var command = new Command("get", "List objects of the running runtime") { kind, name, output, involved };
        command.SetAction(parse =>
        {
            var typed = parse.GetValue(kind)!;
            if (RuntimeKinds.Find(typed) is not { } found)
            {
                return context.Fail(ExitCodes.InvalidInput, [RuntimeKinds.Unknown(typed)]);
            }

            if (parse.GetValue(involved) is not null && found != RuntimeKinds.Events)
            {
                return context.Fail(ExitCodes.InvalidInput, ["--for: only for events (fledge get events --for rollout/hello)"]);
            }

            return RuntimeCall.Run(context, parse.GetValue(dataDirectory)!, client =>
                GetAsync(context, client, found, parse.GetValue(name), parse.GetValue(output)!, parse.GetValue(involved)));
        });
        return command;
    }

    private static async Task<int> GetAsync(CliContext context, ControlClient client, RuntimeKind kind, string? only, string format, string? involved)
    {
        if (format is "json" or "yaml" or "name" || kind == RuntimeKinds.AnalysisTemplates || kind == RuntimeKinds.Events)
        {
            var query = string.Join("&", new[] { only is null ? null : $"name={Uri.EscapeDataString(only)}", involved is null ? null : $"for={Uri.EscapeDataString(involved)}" }
                .OfType<string>());
            var objects = await client.GetAsync<JsonArray>($"v1/objects/{kind.Plural}{(query.Length > 0 ? "?" + query : "")}");
            JsonNode document = only is not null ? objects.Single()! : new JsonObject
            {
                ["apiVersion"] = "v1",
                ["kind"] = "List",
                ["metadata"] = new JsonObject { ["resourceVersion"] = "" },
                ["items"] = objects.DeepClone(),
            };
            switch (format)
            {
                case "json":
                    context.Output.WriteLine(document.ToJsonString(Json.Options));
                    return ExitCodes.Success;
                case "yaml":
                    YamlOutput.Write(context.Output, document);
                    return ExitCodes.Success;
                case "name":
                    foreach (var item in objects)
                    {
                        context.Output.WriteLine($"{item!["kind"]!.GetValue<string>().ToLowerInvariant()}/{item["metadata"]!["name"]!.GetValue<string>()}");
                    }

                    return ExitCodes.Success;
            }

            return Print(context, kind == RuntimeKinds.Events ? Tables.Events(objects, DateTimeOffset.UtcNow) : Tables.AnalysisTemplates(objects, DateTimeOffset.UtcNow),
                objects.Count);
        }

        var now = DateTimeOffset.UtcNow;
        var wide = format == "wide";
        Table table;
        int count;
        if (kind == RuntimeKinds.Rollouts)
        {
            var rollouts = (await client.GetAsync<RolloutList>("v1/rollouts")).Items.Where(r => only is null || r.Name == only).ToList();
            (table, count) = (Tables.Rollouts(rollouts, now, wide), rollouts.Count);
        }
        else if (kind == RuntimeKinds.ReplicaSets)
        {
            var sets = (await client.GetAsync<ReplicaSetList>("v1/replicasets")).Items.Where(r => only is null || r.Name == only).ToList();
            (table, count) = (Tables.ReplicaSets(sets, now, wide), sets.Count);
        }
        else if (kind == RuntimeKinds.Pods)
        {
            var pods = (await client.GetAsync<PodList>("v1/pods")).Items.Where(p => only is null || p.Name == only).ToList();
            (table, count) = (Tables.Pods(pods, now, wide), pods.Count);
        }
        else if (kind == RuntimeKinds.CanaryDeployments)
        {
            var canaries = (await client.GetAsync<CanaryDeploymentList>("v1/canarydeployments")).Items.Where(c => only is null || c.Name == only).ToList();
            (table, count) = (Tables.CanaryDeployments(canaries, now, wide), canaries.Count);
        }
        else
        {
            var services = (await client.GetAsync<ServiceList>("v1/services")).Items.Where(s => only is null || s.Name == only).ToList();
            (table, count) = (Tables.Services(services, now), services.Count);
        }

        if (only is not null && count == 0)
        {
            return context.Fail(ExitCodes.RolloutFailed, [$"{kind.Kind} \"{only}\" not found"]);
        }

        return Print(context, table, count);
    }

    /// <summary>The table, or kubectl's "No resources found." (on standard error) when there is nothing to show.</summary>
    private static int Print(CliContext context, Table table, int count)
    {
        if (count == 0)
        {
            context.Error.WriteLine("No resources found.");
            return ExitCodes.Success;
        }

        context.Console.Write(table);
        return ExitCodes.Success;
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
            table.AddColumns("STRATEGY", "REVISION", "PHASE", "STEP", "WEIGHT", "REVISIONS", "IMAGES");
        }

        foreach (var r in rollouts)
        {
            var row = new List<string> { r.Name, $"{r.ReadyReplicas}/{r.Replicas}", N(r.UpdatedReplicas), N(r.AvailableReplicas), Age.Since(r.CreatedAt, now) };
            if (wide)
            {
                // Each strategy in its own words: stable and canary, active and preview; steps and weights only for a canary.
                var revisions = r.Canary is { } canary ? $"stable {N(canary.StableRevision ?? 0)}" + (canary.CanaryRevision is { } canaryRevision ? $", canary {N(canaryRevision)}" : "")
                    : r.BlueGreen is { } blueGreen ? $"active {N(blueGreen.ActiveRevision ?? 0)}" + (blueGreen.PreviewRevision is { } preview ? $", preview {N(preview)}" : "")
                    : "-";
                row.AddRange([r.Strategy, N(r.Revision), r.Canary?.Phase ?? r.BlueGreen?.Phase ?? "-", r.Canary is { Steps: > 0 } c ? $"{c.Step}/{c.Steps}" : "-",
                    r.Canary is { } w ? $"{w.Weight}%" : "-", revisions, string.Join(",", r.Images)]);
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

    public static Table AnalysisTemplates(JsonArray templates, DateTimeOffset now)
    {
        var table = New("NAME", "METRICS", "PROVIDERS", "AGE");
        foreach (var t in templates)
        {
            var metrics = t!["spec"]?["metrics"]?.AsArray() ?? [];
            table.AddRow(new[]
            {
                t["metadata"]!["name"]!.GetValue<string>(),
                string.Join(",", metrics.Select(m => m!["name"]!.GetValue<string>())),
                string.Join(",", metrics.SelectMany(m => m!["provider"]!.AsObject().Select(p => p.Key)).Distinct()),
                Age.Since(DateTimeOffset.Parse(t["metadata"]!["creationTimestamp"]!.GetValue<string>(), CultureInfo.InvariantCulture), now),
            }.Select(Markup.Escape).ToArray());
        }

        return table;
    }

    /// <summary>kubectl's event table: LAST SEEN, TYPE, REASON, OBJECT, MESSAGE.</summary>
    public static Table Events(JsonArray events, DateTimeOffset now)
    {
        var table = New("LAST SEEN", "TYPE", "REASON", "OBJECT", "MESSAGE");
        foreach (var e in events)
        {
            var type = e!["type"]!.GetValue<string>();
            var involved = e["involvedObject"]!;
            table.AddRow(
                Age.Since(DateTimeOffset.Parse(e["lastTimestamp"]!.GetValue<string>(), CultureInfo.InvariantCulture), now),
                type == "Warning" ? $"[yellow]{type}[/]" : type,
                Markup.Escape(e["reason"]!.GetValue<string>()),
                Markup.Escape($"{involved["kind"]!.GetValue<string>().ToLowerInvariant()}/{involved["name"]!.GetValue<string>()}"),
                Markup.Escape(e["message"]!.GetValue<string>()));
        }

        return table;
    }

    public static Table New(params string[] columns) => new Table().Border(TableBorder.None).AddColumns(columns.Select(c => new TableColumn(c) { Padding = new Padding(0, 0, 3, 0) }).ToArray());

    private static string N(long value) => value.ToString(CultureInfo.InvariantCulture);
}
