using System.CommandLine;
using System.Text.Json.Nodes;
using Fledge.Cli.Client;
using System.Globalization;
using Fledge.Cli.Output;
using Fledge.Local.Api;
using Fledge.Local.Replicas;

namespace Fledge.Cli.Commands.Runtime;

/// <summary>`fledge get rollouts|replicasets|pods|services [NAME] [-o wide|json|yaml]`.</summary>
internal static class GetCommand
{
    public static Command Create(CliContext context, RuntimeTarget runtime)
    {
        var kind = new Argument<string>("kind")
        {
            Description = "rollouts, canarydeployments, analysistemplates, replicasets, pods, services or events (singular and short forms work: ro, deploy, cd, at, rs, po, svc, ev)",
        };
        var name = new Argument<string?>("name") { Description = "Only this object", Arity = ArgumentArity.ZeroOrOne };
        var output = new Option<string>("--output", "-o")
        {
            Description = "table (default), wide, name, json / yaml (Kubernetes objects, a List for several, that `fledge apply -f -` takes back), or jsonpath={.status.phase}",
            DefaultValueFactory = _ => "table",
        };
        output.Validators.Add(result =>
        {
            var value = result.GetValueOrDefault<string>();
            if (value is not ("table" or "wide" or "name" or "json" or "yaml") && !value.StartsWith("jsonpath=", StringComparison.Ordinal))
            {
                result.AddError($"--output: Invalid value: \"{value}\": use table, wide, name, json, yaml or jsonpath={{.path}}");
            }
        });
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

            return runtime.Run(context, parse, client =>
                GetAsync(context, client, found, parse.GetValue(name), parse.GetValue(output)!, parse.GetValue(involved)));
        });
        return command;
    }

    private static async Task<int> GetAsync(CliContext context, ControlClient client, RuntimeKind kind, string? only, string format, string? involved)
    {
        var query = string.Join("&", new[] { only is null ? null : $"name={Uri.EscapeDataString(only)}", involved is null ? null : $"for={Uri.EscapeDataString(involved)}" }
            .OfType<string>());
        query = query.Length > 0 ? "?" + query : "";
        if (format is "table" or "wide")
        {
            // The runtime makes the table (as Kubernetes' API server does); this only lays it out.
            using var table = await client.GetDocumentAsync($"v1/tables/{kind.Plural}{query}");
            if (table.RootElement.GetProperty("rows").GetArrayLength() == 0)
            {
                context.Error.WriteLine("No resources found.");
                return ExitCodes.Success;
            }

            TextTable.Write(context, table.RootElement, wide: format == "wide");
            return ExitCodes.Success;
        }

        var objects = await client.GetAsync<JsonArray>($"v1/objects/{kind.Plural}{query}");
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
                break;
            case "yaml":
                YamlOutput.Write(context.Output, document);
                break;
            case var jsonPath when jsonPath.StartsWith("jsonpath=", StringComparison.Ordinal):
                if (JsonPathText.Render(jsonPath["jsonpath=".Length..], document, out var error) is not { } text)
                {
                    return context.Fail(ExitCodes.InvalidInput, [$"--output: {error}"]);
                }

                context.Output.Write(text);
                break;
            default:
                foreach (var item in objects)
                {
                    context.Output.WriteLine($"{item!["kind"]!.GetValue<string>().ToLowerInvariant()}/{item["metadata"]!["name"]!.GetValue<string>()}");
                }

                break;
        }

        return ExitCodes.Success;
    }
}
