using System.CommandLine;
using Fledge.Cli.Output;
using Fledge.Local.Api;

namespace Fledge.Cli.Commands.Runtime;

/// <summary>`fledge apply -f FILE`: creates or changes Rollouts, Deployments and Services; all or nothing.</summary>
internal static class ApplyCommand
{
    public static Command Create(CliContext context, RuntimeTarget runtime)
    {
        var files = CommonOptions.Files("Manifest files (YAML, several documents, or JSON); - reads standard input");
        var output = CommonOptions.Output();
        var command = new Command("apply", "Create or update objects from manifests (Rollout, Deployment, CanaryDeployment, AnalysisTemplate, Service); invalid input changes nothing") { files, output };
        command.SetAction(parse => runtime.Run(context, parse, async client =>
        {
            var sources = new List<ApplySource>();
            foreach (var file in parse.GetValue(files) ?? [])
            {
                var (text, error) = Core.Manifests.ManifestText.Read(file);
                if (text is null)
                {
                    return context.Fail(ExitCodes.InvalidInput, [$"{file}: {error}"]);
                }

                sources.Add(new ApplySource(file, text));
            }

            var response = await client.PostAsync<ApplyResponse>("v1/apply", new ApplyRequest(sources));
            if (CommonOptions.Format(parse.GetValue(output)) == OutputFormat.Json)
            {
                Json.Write(context.Output, response);
            }
            else
            {
                foreach (var result in response.Results)
                {
                    context.Output.WriteLine($"{result.Kind.ToLowerInvariant()}/{result.Name} {result.Result}");
                }
            }

            return ExitCodes.Success;
        }));
        return command;
    }
}
