using System.Collections.Immutable;
using Fledge.Core.Rollouts;

namespace Fledge.Core.Planning;

/// <summary>
/// The old replica sets of a pass as they were when the new one was chosen: every replica set but the new
/// one. A view over the pass's immutable array, so a long revision history costs no copy per pass.
/// </summary>
internal readonly struct OldReplicaSets(ImmutableArray<ReplicaSetState> all, string? newName)
{
    public int Count
    {
        get
        {
            var count = 0;
            foreach (var _ in this)
            {
                count++;
            }

            return count;
        }
    }

    public Enumerator GetEnumerator() => new(all, newName);

    /// <summary>The old replica sets that are asked for at least one replica, oldest first.</summary>
    public List<ReplicaSetState> ActiveByCreation()
    {
        var active = new List<ReplicaSetState>(2);
        foreach (var rs in this)
        {
            if (rs.IsActive)
            {
                active.Add(rs);
            }
        }

        active.Sort(ReplicaSetOrder.ByCreation);
        return active;
    }

    public List<ReplicaSetState> ToList()
    {
        var list = new List<ReplicaSetState>(all.Length);
        foreach (var rs in this)
        {
            list.Add(rs);
        }

        return list;
    }

    public struct Enumerator(ImmutableArray<ReplicaSetState> all, string? newName)
    {
        private int _index = -1;

        public readonly ReplicaSetState Current => all[_index];

        public bool MoveNext()
        {
            while (++_index < all.Length)
            {
                if (!string.Equals(all[_index].Name, newName, StringComparison.Ordinal))
                {
                    return true;
                }
            }

            return false;
        }
    }
}
