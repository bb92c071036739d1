using Fledge.Core.Rollouts;

namespace Fledge.Core.Planning;

/// <summary>One row of `rollout history`.</summary>
public sealed record RevisionEntry(long Revision, string? ChangeCause, string Image, string ReplicaSet);

/// <summary>The revision history of a rollout, oldest first, from its replica sets.</summary>
public static class History
{
    public static IReadOnlyList<RevisionEntry> Of(IEnumerable<ReplicaSetState> replicaSets) =>
        replicaSets
            .Where(rs => rs.Revision > 0)
            .OrderBy(rs => rs.Revision)
            .Select(rs => new RevisionEntry(rs.Revision, rs.ChangeCause, rs.Template.Image, rs.Name))
            .ToList();
}
