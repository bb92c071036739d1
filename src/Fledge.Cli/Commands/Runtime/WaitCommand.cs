using System.CommandLine;
using System.Diagnostics;
using System.Text.Json.Nodes;
using Fledge.Cli.Client;
using Fledge.Core;
using Fledge.Local.Api;

namespace Fledge.Cli.Commands.Runtime;

/// <summary>
/// `fledge wait KIND/NAME --for=...`: kubectl's wait, for scripts and walkthroughs that need a state before going on:
/// `--for=phase=Paused` (a canary or blue-green rollout's phase), `--for=condition=Available[=True]`,
/// `--for=jsonpath={.status.readyReplicas}=3`, or `--for=delete`.
/// </summary>
internal static class WaitCommand
{
    public static Command Create(CliContext context, RuntimeTarget runtime)
    {
        var target = new Argument<string>("target") { Description = "KIND/NAME, e.g. rollout/hello or canarydeployment/hello" };
        var condition = new Option<string>("--for")
        {
            Description = "phase=PHASE, condition=TYPE[=STATUS], jsonpath={.path.to.field}=VALUE, or delete",
            Required = true,
        };
        var timeout = new Option<string>("--timeout") { Description = "Give up after this long (e.g. 30s, 5m)", DefaultValueFactory = _ => "30s" };
        var command = new Command("wait", "Wait until an object reaches a state (a phase, a condition, a field's value) or is deleted, as kubectl wait does")
        {
            target, condition, timeout,
        };
        command.SetAction(parse =>
        {
            var text = parse.GetValue(target)!;
            if (RuntimeCall.SplitKindName(text) is not { } split || RuntimeKinds.Find(split.Kind) is not { } kind)
            {
                return context.Fail(ExitCodes.InvalidInput,
                    [RuntimeCall.SplitKindName(text) is { } typed ? RuntimeKinds.Unknown(typed.Kind) : $"\"{text}\": write KIND/NAME, e.g. rollout/hello"]);
            }

            if (!Durations.TryParse(parse.GetValue(timeout)!, out var limit))
            {
                return context.Fail(ExitCodes.InvalidInput, [$"--timeout: \"{parse.GetValue(timeout)}\" is not a duration (write 30s or 5m)"]);
            }

            if (Condition.Parse(parse.GetValue(condition)!) is not { } wanted)
            {
                return context.Fail(ExitCodes.InvalidInput,
                    [$"--for: Invalid value: \"{parse.GetValue(condition)}\": write phase=Paused, condition=Available, condition=Available=False, jsonpath={{.status.readyReplicas}}=3 or delete"]);
            }

            return runtime.Run(context, parse, client => WaitAsync(context, client, kind, split.Name, wanted, limit));
        });
        return command;
    }

    private static async Task<int> WaitAsync(CliContext context, ControlClient client, RuntimeKind kind, string name, Condition wanted, TimeSpan timeout)
    {
        var clock = Stopwatch.StartNew();
        var seen = "";
        while (true)
        {
            var found = (await client.GetAsync<JsonArray>($"v1/objects/{kind.Plural}")).FirstOrDefault(o => o?["metadata"]?["name"]?.GetValue<string>() == name);
            if (wanted.Delete ? found is null : found is not null && wanted.Met(found, out seen))
            {
                context.Output.WriteLine($"{kind.Kind.ToLowerInvariant()}/{name} {(wanted.Delete ? "deleted" : "condition met")}");
                return ExitCodes.Success;
            }

            if (found is null && !wanted.Delete && clock.Elapsed > TimeSpan.FromSeconds(2))
            {
                return context.Fail(ExitCodes.RolloutFailed, [$"{kind.Kind.ToLowerInvariant()} \"{name}\" not found"]);
            }

            if (clock.Elapsed > timeout)
            {
                return context.Fail(ExitCodes.RolloutFailed,
                    [$"timed out waiting for the condition on {kind.Plural}/{name} after {Durations.Format(timeout)}{(seen.Length > 0 ? $" ({wanted.What} is {seen})" : "")}"]);
            }

            await Task.Delay(200);
        }
    }

    /// <summary>What to wait for: a field of the Kubernetes-shaped object to hold a value, or the object to be gone.</summary>
    private sealed record Condition(string What, Func<JsonNode, string?> Read, string Value, bool Delete)
    {
        public bool Met(JsonNode obj, out string seen)
        {
            seen = Read(obj) ?? "<none>";
            return string.Equals(seen, Value, StringComparison.OrdinalIgnoreCase);
        }

        public static Condition? Parse(string text)
        {
            if (text == "delete")
            {
                return new Condition("the object", _ => null, "", Delete: true);
            }

            var equals = text.IndexOf('=', StringComparison.Ordinal);
            if (equals <= 0)
            {
                return null;
            }

            var (key, rest) = (text[..equals], text[(equals + 1)..]);
            switch (key)
            {
                case "phase" when rest.Length > 0:
                    return new Condition("the phase", o => Field(o, ["status", "phase"]), rest, Delete: false);
                case "condition" when rest.Length > 0:
                    var parts = rest.Split('=', 2);
                    return new Condition($"condition {parts[0]}", o => (o["status"]?["conditions"] as JsonArray)?
                            .FirstOrDefault(c => string.Equals(c?["type"]?.GetValue<string>(), parts[0], StringComparison.OrdinalIgnoreCase))?["status"]?.GetValue<string>(),
                        parts.Length > 1 ? parts[1] : "True", Delete: false);
                case "jsonpath":
                    // {.status.readyReplicas}=3: a dotted path in braces, then the value.
                    var close = rest.IndexOf("}=", StringComparison.Ordinal);
                    if (!rest.StartsWith("{.", StringComparison.Ordinal) || close < 0)
                    {
                        return null;
                    }

                    var path = rest[2..close].Split('.');
                    return new Condition(rest[1..close], o => Field(o, path), rest[(close + 2)..], Delete: false);
                default:
                    return null;
            }
        }

        private static string? Field(JsonNode obj, IEnumerable<string> path) =>
            Output.JsonPathText.Values(obj, string.Join('.', path)).FirstOrDefault() is { } node ? Output.JsonPathText.Text(node) : null;
    }
}
