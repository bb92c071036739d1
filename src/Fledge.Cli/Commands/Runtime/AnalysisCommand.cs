using System.CommandLine;
using System.Globalization;
using Fledge.Cli.Output;
using Fledge.Local.Api;
using Spectre.Console;

namespace Fledge.Cli.Commands.Runtime;

/// <summary>
/// `fledge analysis run -f TEMPLATE [--arg NAME=VALUE]`: measures an AnalysisTemplate's metrics once, now, through
/// the running runtime's providers, and says what each measurement would decide. Exit 0 when every metric
/// passes, 1 otherwise, so a template can be tried before a canary depends on it.
/// </summary>
internal static class AnalysisCommand
{
    public static Command Create(CliContext context, RuntimeTarget runtime)
    {
        var file = new Option<string>("--filename", "-f") { Description = "A file holding the AnalysisTemplate", Required = true };
        var template = new Option<string?>("--template") { Description = "Which AnalysisTemplate, when the file holds several" };
        var args = new Option<string[]>("--arg") { Description = "A value for one of the template's args: NAME=VALUE (repeatable)", Arity = ArgumentArity.ZeroOrMore };
        var output = CommonOptions.Output();
        var run = new Command("run", "Measure a template's metrics once, now, and show what each measurement would decide") { file, template, args, output };
        run.SetAction(parse => runtime.Run(context, parse, async client =>
        {
            var values = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (var text in parse.GetValue(args) ?? [])
            {
                var equals = text.IndexOf('=', StringComparison.Ordinal);
                if (equals <= 0)
                {
                    return context.Fail(ExitCodes.InvalidInput, [$"--arg \"{text}\": write NAME=VALUE, e.g. --arg service=hello-canary"]);
                }

                values[text[..equals]] = text[(equals + 1)..];
            }

            var path = parse.GetValue(file)!;
            var (content, error) = Core.Manifests.ManifestText.Read(path);
            if (content is null)
            {
                return context.Fail(ExitCodes.InvalidInput, [$"{path}: {error}"]);
            }

            var response = await client.PostAsync<AnalysisRunResponse>("v1/analysis/run",
                new AnalysisRunRequest(new ApplySource(path, content), parse.GetValue(template), values));
            if (CommonOptions.Format(parse.GetValue(output)) == OutputFormat.Json)
            {
                Json.Write(context.Output, response);
            }
            else
            {
                TextTable.Write(context, ["METRIC", "PROVIDER", "VALUE", "PHASE", "MESSAGE"], response.Measurements.Select(m => (IReadOnlyList<string>)
                    [m.Metric, m.Provider, m.Value.Count == 0 ? "-" : m.Value.Count == 1 ? Number(m.Value[0]) : $"[{string.Join(", ", m.Value.Select(Number))}]", m.Phase, m.Message]));
            }

            var failing = response.Measurements.Where(m => m.Phase != "Successful").ToList();
            return failing.Count == 0
                ? ExitCodes.Success
                : context.Fail(ExitCodes.RolloutFailed, failing.Select(m => $"{m.Metric}: {m.Phase}: {m.Message}"));
        }));
        return new Command("analysis", "Try AnalysisTemplates against the running runtime's metric providers") { run };
    }

    private static string Number(double value) => value.ToString("0.####", CultureInfo.InvariantCulture);
}
