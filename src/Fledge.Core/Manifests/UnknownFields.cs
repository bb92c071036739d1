using System.Reflection;
using k8s.Models;

namespace Fledge.Core.Manifests;

/// <summary>Suggests the field a person probably meant when they wrote one that does not exist.</summary>
internal static class UnknownFields
{
    /// <summary>", did you mean \"maxSurge\"?" or a hint to remove the field.</summary>
    public static string Suggestion(string yamlMessage, string field)
    {
        var marker = "on type '";
        var at = yamlMessage.IndexOf(marker, StringComparison.Ordinal);
        var type = at < 0 ? null : FindType(yamlMessage[(at + marker.Length)..yamlMessage.IndexOf('\'', at + marker.Length)]);
        if (type is null)
        {
            return ": remove it or check its spelling";
        }

        var names = type.GetProperties(BindingFlags.Public | BindingFlags.Instance)
            .Select(p => char.ToLowerInvariant(p.Name[0]) + p.Name[1..])
            .ToList();
        var best = names.MinBy(name => Distance(name.ToLowerInvariant(), field.ToLowerInvariant()));
        return best is not null && Distance(best.ToLowerInvariant(), field.ToLowerInvariant()) <= Math.Max(2, field.Length / 4)
            ? $": did you mean \"{best}\"?"
            : $": remove it; fields here are {string.Join(", ", names.Take(12))}";
    }

    private static Type? FindType(string name) =>
        typeof(V1Deployment).Assembly.GetType(name) ?? typeof(RolloutResource).Assembly.GetType(name);

    private static int Distance(string a, string b)
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
