namespace Fledge.Core.Planning;

/// <summary>Argo's scaleDownDelayRevisionLimit: how many old revisions may wait out the scale-down delay at once.</summary>
internal static class ScaleDownDelay
{
    /// <summary>The old revisions past the limit (the oldest, by revision), which go at once instead of after the delay.</summary>
    public static HashSet<string> PastLimit(Pass pass, string current, int? limit)
    {
        if (limit is not { } keep)
        {
            return [];
        }

        return pass.ReplicaSets.Where(rs => rs.Name != current && rs.IsActive)
            .OrderByDescending(rs => rs.Revision)
            .Skip(keep)
            .Select(rs => rs.Name)
            .ToHashSet(StringComparer.Ordinal);
    }
}
