using System.Text.Json;

namespace Fledge.Cli.Tests;

/// <summary>Runs the fledge command in-process and captures what it prints.</summary>
internal sealed record CliRun(int ExitCode, string Output, string Error)
{
    public static CliRun Of(params string[] args)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        var code = FledgeCli.Run(args, CliContext.ForWriters(output, error));
        return new CliRun(code, output.ToString(), error.ToString());
    }

    public JsonElement Json => JsonDocument.Parse(Output).RootElement;
}
