using System.Globalization;

namespace Fledge.Samples.Hello;

/// <summary>
/// How the demo service behaves: its version and the faults to inject. Each setting is a flag
/// (--fail-rate 0.3) or an environment variable (HELLO_FAIL_RATE=0.3); flags win.
/// </summary>
public sealed record HelloOptions
{
    /// <summary>"v1" answers "Hello World!", "v2" answers "Howdy World!". Defaults to FLEDGE_IMAGE's tag.</summary>
    public string Version { get; init; } = "v1";

    public int Port { get; init; } = 8080;

    /// <summary>The fraction of requests to GET / answered with 500 (0 to 1).</summary>
    public double FailRate { get; init; }

    /// <summary>Extra latency added to every request to GET /.</summary>
    public TimeSpan ExtraLatency { get; init; }

    /// <summary>Never report ready on /ready.</summary>
    public bool NeverReady { get; init; }

    /// <summary>Exit with code 1 this long after starting; null to run until stopped.</summary>
    public TimeSpan? CrashAfter { get; init; }

    public string Greeting => Version.StartsWith("v2", StringComparison.Ordinal) ? "Howdy World!" : "Hello World!";

    public static HelloOptions From(string[] args, Func<string, string?> environment)
    {
        string? Setting(string flag, string variable)
        {
            var index = Array.IndexOf(args, flag);
            return index >= 0 && index + 1 < args.Length ? args[index + 1] : environment(variable);
        }

        var image = environment("FLEDGE_IMAGE");
        var tag = image is not null && image.LastIndexOf(':') is var colon and > 0 ? image[(colon + 1)..] : null;
        return new HelloOptions
        {
            Version = Setting("--version", "HELLO_VERSION") ?? tag ?? "v1",
            Port = int.Parse(Setting("--port", "PORT") ?? "8080", CultureInfo.InvariantCulture),
            FailRate = double.Parse(Setting("--fail-rate", "HELLO_FAIL_RATE") ?? "0", CultureInfo.InvariantCulture),
            ExtraLatency = TimeSpan.FromMilliseconds(double.Parse(Setting("--latency-ms", "HELLO_LATENCY_MS") ?? "0", CultureInfo.InvariantCulture)),
            NeverReady = (Setting("--never-ready", "HELLO_NEVER_READY") ?? "false") is "1" or "true",
            CrashAfter = Setting("--crash-after", "HELLO_CRASH_AFTER") is { } crash
                ? TimeSpan.FromSeconds(double.Parse(crash, CultureInfo.InvariantCulture))
                : null,
        };
    }
}
