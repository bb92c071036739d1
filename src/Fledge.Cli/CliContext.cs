using Spectre.Console;

namespace Fledge.Cli;

/// <summary>Where a command writes: people-facing output (tables, colour on a terminal) and errors.</summary>
public sealed class CliContext(Func<IAnsiConsole> console, TextWriter output, TextWriter error, bool colour)
{
    private IAnsiConsole? _console;

    /// <summary>The rich console (live progress, markup), made on first use: most commands print plain text and never need it.</summary>
    public IAnsiConsole Console => _console ??= console();

    /// <summary>True when output goes to a terminal that takes colour (not redirected, NO_COLOR unset, TERM not dumb).</summary>
    public bool Colour { get; } = colour;

    /// <summary>Plain output, for machine formats such as JSON.</summary>
    public TextWriter Output { get; } = output;

    public TextWriter Error { get; } = error;

    public static CliContext ForProcess()
    {
        var redirected = System.Console.IsOutputRedirected;
        var colour = !redirected && Environment.GetEnvironmentVariable("NO_COLOR") is null && Environment.GetEnvironmentVariable("TERM") is not ("dumb" or null or "");
        return new(() =>
        {
            var console = AnsiConsole.Console;
            if (redirected)
            {
                // Piped output has no terminal width; 80 columns would wrap image names mid-word.
                console.Profile.Width = 160;
            }

            return console;
        }, System.Console.Out, System.Console.Error, colour);
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
        return new(() => console, output, error, colour: false);
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
