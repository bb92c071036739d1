using System.CommandLine;
using Fledge.Cli.Client;
using Fledge.Local.Api;

namespace Fledge.Cli.Commands.Runtime;

/// <summary>What the commands that talk to a running runtime share: the data directory option and error handling.</summary>
internal static class RuntimeCall
{
    /// <summary>$FLEDGE_DATA_DIR, else $XDG_DATA_HOME/fledge, else ~/.local/share/fledge.</summary>
    public static string DefaultDataDirectory() =>
        Environment.GetEnvironmentVariable("FLEDGE_DATA_DIR") is { Length: > 0 } fromEnvironment
            ? fromEnvironment
            : Path.Combine(
                Environment.GetEnvironmentVariable("XDG_DATA_HOME") is { Length: > 0 } xdg
                    ? xdg
                    : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".local", "share"),
                "fledge");

    public static Option<string> DataDirectory() => new("--data-dir")
    {
        Description = "The runtime's data directory (default: $FLEDGE_DATA_DIR or ~/.local/share/fledge)",
        DefaultValueFactory = _ => DefaultDataDirectory(),
        Recursive = true,
    };

    /// <summary>Runs <paramref name="call"/> against the runtime; refusals and a missing runtime become messages and exit codes.</summary>
    public static int Run(CliContext context, string dataDirectory, Func<ControlClient, Task<int>> call)
    {
        using var client = new ControlClient(dataDirectory);
        return Run(context, client, call);
    }

    public static int Run(CliContext context, ControlClient client, Func<ControlClient, Task<int>> call)
    {
        try
        {
            return call(client).GetAwaiter().GetResult();
        }
        catch (RuntimeUnavailableException e)
        {
            return context.Fail(ExitCodes.Unavailable, [e.Message]);
        }
        catch (CommandException e)
        {
            return context.Fail(e.Status switch
            {
                400 => ExitCodes.InvalidInput,
                507 => ExitCodes.Unavailable,
                _ => ExitCodes.RolloutFailed,
            }, e.Errors);
        }
    }

    /// <summary>Splits KIND/NAME (rollout/hello, deployment/web, svc/web).</summary>
    public static (string Kind, string Name)? SplitKindName(string text)
    {
        var slash = text.IndexOf('/', StringComparison.Ordinal);
        return slash > 0 && slash < text.Length - 1 ? (text[..slash], text[(slash + 1)..]) : null;
    }
}
