using System.CommandLine;
using Fledge.Core.Manifests;
using Fledge.Local.Api;

namespace Fledge.Cli.Commands.Runtime;

/// <summary>`fledge delete -f FILE`, `fledge delete KIND/NAME...` or `fledge delete KIND NAME...`, as kubectl takes them.</summary>
internal static class DeleteCommand
{
    public static Command Create(CliContext context, RuntimeTarget runtime)
    {
        var target = new Argument<string[]>("target") { Description = "KIND/NAME... (e.g. rollout/hello, service/hello) or KIND NAME... (e.g. service hello web)", Arity = ArgumentArity.ZeroOrMore };
        var files = new Option<string[]>("--filename", "-f") { Description = "Delete the objects these manifests describe", Arity = ArgumentArity.ZeroOrMore };
        var command = new Command("delete", "Delete rollouts (their replicas stop gracefully), CanaryDeployments (with their tracks), AnalysisTemplates and services") { target, files };
        command.SetAction(parse => runtime.Run(context, parse, async client =>
        {
            var targets = new List<(string Kind, string Name)>();
            var words = parse.GetValue(target) ?? [];
            if (words.Length > 0 && !words[0].Contains('/', StringComparison.Ordinal))
            {
                if (words.Length == 1)
                {
                    return context.Fail(ExitCodes.InvalidInput, [$"\"{words[0]}\": name what to delete: {words[0]}/NAME or {words[0]} NAME"]);
                }

                words = words.Skip(1).Select(name => $"{words[0]}/{name}").ToArray();
            }

            foreach (var text in words)
            {
                if (RuntimeCall.SplitKindName(text) is not { } kindName)
                {
                    return context.Fail(ExitCodes.InvalidInput, [$"\"{text}\": write KIND/NAME (e.g. rollout/hello) or KIND NAME (e.g. rollout hello)"]);
                }

                targets.Add(kindName);
            }

            foreach (var file in parse.GetValue(files) ?? [])
            {
                var loaded = ManifestLoader.LoadFile(file);
                if (!loaded.Succeeded)
                {
                    return context.Fail(ExitCodes.InvalidInput, loaded.Errors.Select(e => e.ToString()));
                }

                targets.AddRange(loaded.Objects.Select(o => (o.Kind, o.Name)));
            }

            if (targets.Count == 0)
            {
                return context.Fail(ExitCodes.InvalidInput, ["say what to delete: KIND/NAME or -f FILE"]);
            }

            foreach (var (kind, name) in targets)
            {
                var result = await client.DeleteAsync<MessageResponse>($"v1/objects/{Uri.EscapeDataString(kind)}/{Uri.EscapeDataString(name)}");
                context.Output.WriteLine(result.Message);
            }

            return ExitCodes.Success;
        }));
        return command;
    }
}
