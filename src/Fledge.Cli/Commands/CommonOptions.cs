using System.CommandLine;
using Fledge.Cli.Output;

namespace Fledge.Cli.Commands;

/// <summary>Options several commands share, spelled the same everywhere.</summary>
internal static class CommonOptions
{
    public static Option<string> Output()
    {
        var option = new Option<string>("--output", "-o")
        {
            Description = "Output format: table (for people) or json (for programs)",
            DefaultValueFactory = _ => "table",
        };
        option.AcceptOnlyFromAmong("table", "json");
        return option;
    }

    public static OutputFormat Format(string? value) => value == "json" ? OutputFormat.Json : OutputFormat.Table;

    public static Option<string[]> Files(string description) => new("--filename", "-f")
    {
        Description = description,
        Required = true,
        Arity = ArgumentArity.OneOrMore,
    };
}
