using System.Globalization;
using System.Text.RegularExpressions;

namespace Fledge.Core;

/// <summary>Parses durations as people write them: "90s", "1m30s", "500ms", "2h", or plain seconds ("45").</summary>
public static partial class Durations
{
    public static bool TryParse(string text, out TimeSpan duration)
    {
        duration = TimeSpan.Zero;
        if (double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var seconds) && seconds >= 0)
        {
            duration = TimeSpan.FromSeconds(seconds);
            return true;
        }

        var matches = Part().Matches(text);
        if (matches.Count == 0 || string.Concat(matches.Select(m => m.Value)) != text)
        {
            return false;
        }

        foreach (Match match in matches)
        {
            var value = double.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture);
            duration += match.Groups[2].Value switch
            {
                "ms" => TimeSpan.FromMilliseconds(value),
                "s" => TimeSpan.FromSeconds(value),
                "m" => TimeSpan.FromMinutes(value),
                _ => TimeSpan.FromHours(value),
            };
        }

        return true;
    }

    /// <summary>Short human form: 45s, 2m30s, 1h5m.</summary>
    public static string Format(TimeSpan duration)
    {
        if (duration < TimeSpan.FromMinutes(1))
        {
            return duration.TotalSeconds.ToString("0.###", CultureInfo.InvariantCulture) + "s";
        }

        var text = duration.TotalHours >= 1 ? $"{(int)duration.TotalHours}h{duration.Minutes}m" : $"{duration.Minutes}m";
        var rest = duration.Seconds + duration.Milliseconds / 1000.0;
        return rest > 0 ? text + rest.ToString("0.###", CultureInfo.InvariantCulture) + "s" : text;
    }

    [GeneratedRegex("([0-9]+(?:\\.[0-9]+)?)(ms|s|m|h)")]
    private static partial Regex Part();
}
