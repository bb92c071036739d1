using Microsoft.Extensions.Logging;

namespace Fledge.Cli.Output;

/// <summary>How the long-running commands (serve, operator) log: one line per entry, with the time, from Information up.</summary>
internal static class ConsoleLogging
{
    public static ILoggerFactory Create() => LoggerFactory.Create(logging => logging.AddSimpleConsole(console =>
    {
        console.SingleLine = true;
        console.TimestampFormat = "HH:mm:ss ";
    }).SetMinimumLevel(LogLevel.Information));
}
