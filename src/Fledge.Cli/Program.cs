using System.CommandLine;
using Fledge.Cli;
using Fledge.Cli.Commands;

return FledgeCli.Run(args, CliContext.ForProcess());

namespace Fledge.Cli
{
    /// <summary>The fledge command: builds the command tree and runs it.</summary>
    public static class FledgeCli
    {
        public static int Run(string[] args, CliContext context)
        {
            var root = new RootCommand("Fledge ships new versions of a service safely: Kubernetes Deployment rollouts, exactly, on one host or on Kubernetes.")
            {
                SimulateCommand.Create(context),
                PlanCommand.Create(context),
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
