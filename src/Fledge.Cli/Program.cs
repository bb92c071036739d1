using System.CommandLine;
using Fledge.Cli;
using Fledge.Cli.Commands;
using Fledge.Cli.Commands.Runtime;

return FledgeCli.Run(args, CliContext.ForProcess());

namespace Fledge.Cli
{
    /// <summary>The fledge command: builds the command tree and runs it.</summary>
    public static class FledgeCli
    {
        public static int Run(string[] args, CliContext context)
        {
            var runtime = new RuntimeTarget();
            var root = new RootCommand("Fledge ships new versions of a service safely: Kubernetes Deployment rollouts, exactly, on one host or on Kubernetes.")
            {
                DemoCommand.Create(context),
                SimulateCommand.Create(context),
                PlanCommand.Create(context),
                ServeCommand.Create(context, runtime),
                ApplyCommand.Create(context, runtime),
                GetCommand.Create(context, runtime),
                DescribeCommand.Create(context, runtime),
                DeleteCommand.Create(context, runtime),
                RolloutCommand.Create(context, runtime),
                AnalysisCommand.Create(context, runtime),
                ScaleCommands.SetImage(context, runtime),
                ScaleCommands.Scale(context, runtime),
                LogsCommand.Create(context, runtime),
                WaitCommand.Create(context, runtime),
                Commands.Kubernetes.OperatorCommand.Create(context, runtime),
                HelloCommand.Create(),
            };
            foreach (var option in runtime.Options)
            {
                root.Options.Add(option);
            }

            var parse = root.Parse(args);
            if (parse.Errors.Count > 0)
            {
                return context.Fail(ExitCodes.InvalidInput, ParseErrors(parse));
            }

            try
            {
                return parse.Invoke(new InvocationConfiguration { Output = context.Output, Error = context.Error, EnableDefaultExceptionHandler = false });
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                // Never a stack trace for people: what failed, and how to see where (for a bug report).
                var where = Environment.GetEnvironmentVariable("FLEDGE_DEBUG") is { Length: > 0 } ? $"\n{e}" : " (FLEDGE_DEBUG=1 shows where; please report it)";
                return context.Fail(ExitCodes.Internal, [$"fledge failed unexpectedly: {e.GetType().Name}: {e.Message}{where}"]);
            }
        }

        /// <summary>
        /// What went wrong on the command line, kubectl's way: an unknown command or flag is named with the nearest
        /// one (`fledge aply` → did you mean "apply"?) and the help to read.
        /// </summary>
        private static IEnumerable<string> ParseErrors(ParseResult parse)
        {
            var path = string.Join(' ', Path(parse.CommandResult).Reverse());
            var command = parse.CommandResult.Command;
            if (parse.UnmatchedTokens.Count > 0 && parse.UnmatchedTokens[0] is { } typed)
            {
                var flag = typed.StartsWith('-');
                var known = flag
                    ? parse.CommandResult.Command.Options.Concat(Ancestors(parse.CommandResult).SelectMany(c => c.Options.Where(o => o.Recursive)))
                        .SelectMany(o => new[] { o.Name }.Concat(o.Aliases))
                    : command.Subcommands.Where(c => !c.Hidden).SelectMany(c => new[] { c.Name }.Concat(c.Aliases));
                if (flag || command.Subcommands.Count > 0)
                {
                    var nearest = Core.Suggestions.Nearest(known.ToList(), typed);
                    yield return $"unknown {(flag ? "flag" : "command")} \"{typed}\" for \"{path}\"{(nearest is null ? "" : $"; did you mean \"{nearest}\"?")} (see '{path} --help')";
                    yield break;
                }
            }

            foreach (var error in parse.Errors)
            {
                yield return $"{error.Message} (see '{path} --help')";
            }
        }

        private static IEnumerable<string> Path(System.CommandLine.Parsing.CommandResult result)
        {
            for (var current = result; current is not null; current = current.Parent as System.CommandLine.Parsing.CommandResult)
            {
                yield return current.Command is RootCommand ? "fledge" : current.Command.Name;
            }
        }

        private static IEnumerable<Command> Ancestors(System.CommandLine.Parsing.CommandResult result)
        {
            for (var current = result.Parent as System.CommandLine.Parsing.CommandResult; current is not null; current = current.Parent as System.CommandLine.Parsing.CommandResult)
            {
                yield return current.Command;
            }
        }
    }
}
