using System.CommandLine;

namespace Fledge.Cli.Commands.Runtime;

/// <summary>`fledge logs pod/NAME [-f]`: a replica's standard output and error.</summary>
internal static class LogsCommand
{
    public static Command Create(CliContext context, Option<string> dataDirectory)
    {
        var target = new Argument<string>("pod") { Description = "pod/NAME (or NAME)" };
        var follow = new Option<bool>("--follow", "-f") { Description = "Keep printing new lines while the replica runs" };
        var command = new Command("logs", "Print a replica's log (stdout and stderr)") { target, follow };
        command.SetAction(parse => RuntimeCall.Run(context, parse.GetValue(dataDirectory)!, async client =>
        {
            var name = RuntimeCall.SplitKindName(parse.GetValue(target)!)?.Name ?? parse.GetValue(target)!;
            using var cancel = new CancellationTokenSource();
            Console.CancelKeyPress += (_, e) => { e.Cancel = true; cancel.Cancel(); };
            await using var stream = await client.StreamAsync($"v1/pods/{Uri.EscapeDataString(name)}/logs?follow={(parse.GetValue(follow) ? "true" : "false")}", cancel.Token);
            using var reader = new StreamReader(stream);
            try
            {
                while (await reader.ReadLineAsync(cancel.Token) is { } line)
                {
                    context.Output.WriteLine(line);
                }
            }
            catch (OperationCanceledException)
            {
                // Ctrl-C while following.
            }

            return ExitCodes.Success;
        }));
        return command;
    }
}
