using Spectre.Console;

namespace Fledge.Cli;

/// <summary>Where a command writes: people-facing output (tables, colour on a terminal) and errors.</summary>
public sealed class CliContext(IAnsiConsole console, TextWriter output, TextWriter error)
{
    public IAnsiConsole Console { get; } = console;

    /// <summary>Plain output, for machine formats such as JSON.</summary>
    public TextWriter Output { get; } = output;

    public TextWriter Error { get; } = error;

    public static CliContext ForProcess()
    {
        var console = AnsiConsole.Console;
        if (System.Console.IsOutputRedirected)
        {
            // Piped output has no terminal width; 80 columns would wrap image names mid-word.
            console.Profile.Width = 160;
        }

        return new(console, System.Console.Out, System.Console.Error);
    }

    /// <summary>A context writing to the given writers with no colour, for tests and redirected output.</summary>
    public static CliContext ForWriters(TextWriter output, TextWriter error)
    {
        var console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Ansi = AnsiSupport.No,
            ColorSystem = ColorSystemSupport.NoColors,
            Out = new AnsiConsoleOutput(output),
            Interactive = InteractionSupport.No,
        });
        console.Profile.Width = 160;
        return new(console, output, error);
    }

    public int Fail(int exitCode, IEnumerable<string> messages)
    {
        foreach (var message in messages)
        {
            Error.WriteLine($"error: {message}");
        }

        return exitCode;
    }
}
