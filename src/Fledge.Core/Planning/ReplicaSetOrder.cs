using Fledge.Core.Rollouts;

namespace Fledge.Core.Planning;

/// <summary>The orderings the controller sorts replica sets by.</summary>
internal static class ReplicaSetOrder
{
    /// <summary>Oldest first; equal timestamps by name.</summary>
    public static int ByCreation(ReplicaSetState a, ReplicaSetState b)
    {
        var byTime = a.CreatedAt.CompareTo(b.CreatedAt);
        return byTime != 0 ? byTime : string.CompareOrdinal(a.Name, b.Name);
    }

    /// <summary>Largest first; equal sizes newest first (used when adding replicas).</summary>
    public static int BySizeNewer(ReplicaSetState a, ReplicaSetState b) =>
        a.Replicas != b.Replicas ? b.Replicas.CompareTo(a.Replicas) : ByCreation(b, a);

    /// <summary>Largest first; equal sizes oldest first (used when removing replicas).</summary>
    public static int BySizeOlder(ReplicaSetState a, ReplicaSetState b) =>
        a.Replicas != b.Replicas ? b.Replicas.CompareTo(a.Replicas) : ByCreation(a, b);

    /// <summary>Lowest revision first; ties by creation.</summary>
    public static int ByRevision(ReplicaSetState a, ReplicaSetState b) =>
        a.Revision != b.Revision ? a.Revision.CompareTo(b.Revision) : ByCreation(a, b);
}
