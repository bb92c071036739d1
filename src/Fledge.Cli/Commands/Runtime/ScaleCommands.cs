using System.CommandLine;
using Fledge.Local.Api;

namespace Fledge.Cli.Commands.Runtime;

/// <summary>`fledge scale rollout/NAME --replicas N` and `fledge set image rollout/NAME CONTAINER=IMAGE`.</summary>
internal static class ScaleCommands
{
    public static Command Scale(CliContext context, RuntimeTarget runtime)
    {
        var target = new Argument<string>("target") { Description = "rollout/NAME" };
        var replicas = new Option<int>("--replicas") { Description = "The new number of replicas", Required = true };
        var command = new Command("scale", "Set a rollout's replicas; mid-rollout, both revisions scale in proportion") { target, replicas };
        command.SetAction(parse => runtime.Run(context, parse, async client =>
        {
            var name = RuntimeCall.SplitKindName(parse.GetValue(target)!)?.Name ?? parse.GetValue(target)!;
            var result = await client.PostAsync<MessageResponse>($"v1/rollouts/{Uri.EscapeDataString(name)}/scale?replicas={parse.GetValue(replicas)}");
            context.Output.WriteLine(result.Message);
            return ExitCodes.Success;
        }));
        return command;
    }

    public static Command SetImage(CliContext context, RuntimeTarget runtime)
    {
        var target = new Argument<string>("target") { Description = "rollout/NAME" };
        var images = new Argument<string[]>("images") { Description = "CONTAINER=IMAGE (several allowed)", Arity = ArgumentArity.OneOrMore };
        var image = new Command("image", "Set the image of containers of a rollout, which rolls out a new revision") { target, images };
        image.SetAction(parse => runtime.Run(context, parse, async client =>
        {
            var name = RuntimeCall.SplitKindName(parse.GetValue(target)!)?.Name ?? parse.GetValue(target)!;
            foreach (var pair in parse.GetValue(images) ?? [])
            {
                var equals = pair.IndexOf('=', StringComparison.Ordinal);
                if (equals <= 0)
                {
                    return context.Fail(ExitCodes.InvalidInput, [$"\"{pair}\": write CONTAINER=IMAGE, e.g. hello=fledge/hello:v2"]);
                }

                var result = await client.PostAsync<MessageResponse>($"v1/rollouts/{Uri.EscapeDataString(name)}/image", new ImageRequest(pair[..equals], pair[(equals + 1)..]));
                context.Output.WriteLine(result.Message);
            }

            return ExitCodes.Success;
        }));
        return new Command("set", "Change fields of a rollout") { image };
    }
}
