namespace Fledge.Core;

/// <summary>"Did you mean ...?": the known name nearest to a mistyped one (a field, a command, a kind).</summary>
public static class Suggestions
{
    /// <summary>The candidate closest to <paramref name="typed"/> (case ignored), or null when none is close enough to be a typo.</summary>
    public static string? Nearest(IEnumerable<string> candidates, string typed)
    {
        var lower = typed.ToLowerInvariant();
        var best = candidates.MinBy(name => Distance(name.ToLowerInvariant(), lower));
        return best is not null && Distance(best.ToLowerInvariant(), lower) <= Math.Max(2, typed.Length / 4) ? best : null;
    }

    /// <summary>The Levenshtein distance: how many characters to insert, delete or change to turn one into the other.</summary>
    public static int Distance(string a, string b)
    {
        var previous = new int[b.Length + 1];
        var current = new int[b.Length + 1];
        for (var j = 0; j <= b.Length; j++)
        {
            previous[j] = j;
        }

        for (var i = 1; i <= a.Length; i++)
        {
            current[0] = i;
            for (var j = 1; j <= b.Length; j++)
            {
                var cost = a[i - 1] == b[j - 1] ? 0 : 1;
                current[j] = Math.Min(Math.Min(current[j - 1] + 1, previous[j] + 1), previous[j - 1] + cost);
            }

            (previous, current) = (current, previous);
        }

        return previous[b.Length];
    }
}
