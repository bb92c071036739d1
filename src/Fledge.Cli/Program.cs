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
            var dataDirectory = RuntimeCall.DataDirectory();
            var root = new RootCommand("Fledge ships new versions of a service safely: Kubernetes Deployment rollouts, exactly, on one host or on Kubernetes.")
            {
                dataDirectory,
                DemoCommand.Create(context),
                SimulateCommand.Create(context),
                PlanCommand.Create(context),
                ServeCommand.Create(context, dataDirectory),
                ApplyCommand.Create(context, dataDirectory),
                GetCommand.Create(context, dataDirectory),
                DescribeCommand.Create(context, dataDirectory),
                DeleteCommand.Create(context, dataDirectory),
                RolloutCommand.Create(context, dataDirectory),
                AnalysisCommand.Create(context, dataDirectory),
                ScaleCommands.SetImage(context, dataDirectory),
                ScaleCommands.Scale(context, dataDirectory),
                LogsCommand.Create(context, dataDirectory),
                HelloCommand.Create(),
            };
            var parse = root.Parse(args);
            if (parse.Errors.Count > 0)
            {
                return context.Fail(ExitCodes.InvalidInput, parse.Errors.Select(e => $"{e.Message} (see 'fledge {string.Join(' ', args.Take(1))} --help')"));
            }

            return parse.Invoke(new InvocationConfiguration { Output = context.Output, Error = context.Error });
        }
    }
}
