using Fledge.Core;
using Fledge.Metrics;

namespace Fledge.Local.Analysis;

/// <summary>A request metric as written: NAME or NAME:WINDOW (request_failure_rate:1m); the window defaults to a minute.</summary>
internal readonly record struct RequestMetricName(string Name, TimeSpan Window)
{
    public static RequestMetricName Parse(string text)
    {
        var colon = text.IndexOf(':', StringComparison.Ordinal);
        if (colon < 0)
        {
            return new RequestMetricName(text, TimeSpan.FromMinutes(1));
        }

        return Durations.TryParse(text[(colon + 1)..], out var window)
            ? new RequestMetricName(text[..colon], window)
            : throw new MetricProviderException($"metric \"{text}\": \"{text[(colon + 1)..]}\" is not a window; write e.g. {text[..colon]}:1m");
    }
}
