using System.CommandLine;
using Fledge.Samples.Hello;

namespace Fledge.Cli.Commands.Runtime;

/// <summary>
/// `fledge hello`: runs the demo service (samples/hello) from the fledge binary, so the image
/// fledge/hello works on any machine that has fledge. Flags and variables: see HelloOptions.
/// </summary>
internal static class HelloCommand
{
    public const string Image = "fledge/hello";

    public static Command Create()
    {
        var rest = new Argument<string[]>("options") { Arity = ArgumentArity.ZeroOrMore, Description = "--version, --port, --fail-rate, --latency-ms, --never-ready, --crash-after" };
        var command = new Command("hello", "Run the demo service (v1 says \"Hello World!\", v2 \"Howdy World!\")") { rest };
        command.TreatUnmatchedTokensAsErrors = false;
        command.SetAction(parse => HelloService.Run([.. parse.GetValue(rest) ?? [], .. parse.UnmatchedTokens]));
        return command;
    }

    /// <summary>The command line that runs this fledge binary with the given arguments.</summary>
    public static IReadOnlyList<string> Self(params string[] arguments)
    {
        var process = Environment.ProcessPath ?? "dotnet";
        var viaDotnet = Path.GetFileNameWithoutExtension(process) == "dotnet" || !Path.GetFileName(process).StartsWith("fledge", StringComparison.Ordinal);
        var entry = Path.Combine(AppContext.BaseDirectory, "fledge.dll");
        return viaDotnet ? [DotnetHost(), entry, .. arguments] : [process, .. arguments];
    }

    /// <summary>The built-in image table entries of this binary.</summary>
    public static IReadOnlyDictionary<string, IReadOnlyList<string>> BuiltInImages() =>
        new Dictionary<string, IReadOnlyList<string>> { [Image] = Self("hello") };

    private static string DotnetHost() =>
        Environment.ProcessPath is { } path && Path.GetFileNameWithoutExtension(path) == "dotnet"
            ? path
            : Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host ? host : "dotnet";
}
