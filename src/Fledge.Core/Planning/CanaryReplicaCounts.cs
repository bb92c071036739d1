namespace Fledge.Core.Planning;

/// <summary>A replica set's size (spec.replicas) and its available replicas, as the canary arithmetic reads them.</summary>
public readonly record struct ReplicaCount(int Replicas, int Available);

/// <summary>
/// Argo Rollouts' canary replica arithmetic, for people who bring Argo's files and expect Argo's counts
/// (tests/conformance/argo/canary-cases.json holds Argo's own test tables, and a test walks every row):
/// <list type="bullet">
/// <item>without a traffic router, the weight is approximated by replica counts (<see cref="Approximate"/>), and one
/// controller pass moves toward them within maxSurge and maxUnavailable (<see cref="Basic"/>);</item>
/// <item>with one, the stable revision stays at spec.replicas and the canary is ceil(weight × replicas)
/// (<see cref="TrafficRouted"/>), unless dynamicStableScale shrinks the stable with its traffic.</item>
/// </list>
/// </summary>
public static class CanaryReplicaCounts
{
    /// <summary>
    /// The canary and stable counts closest to <paramref name="weight"/> percent: of spec.replicas, or of one more
    /// when maxSurge allows; a weight between 1 and 99 never gives either side 0 (unless one replica without surge),
    /// and a tie between rounding down and up takes the larger canary.
    /// </summary>
    public static (int Canary, int Stable) Approximate(int replicas, int weight, int maxSurge)
    {
        if (replicas == 0)
        {
            return (0, 0);
        }

        var ceiling = (int)Math.Ceiling(replicas * weight / 100.0);
        var floor = (int)Math.Floor(replicas * weight / 100.0);
        var zeroAllowed = weight is 0 or 100 || (replicas == 1 && maxSurge == 0);
        var candidates = new List<(int Canary, int Total)>();
        if (ceiling < replicas || zeroAllowed)
        {
            candidates.Add((ceiling, replicas));
        }

        if (!HalfwayBetween(weight, replicas) && (floor != 0 || zeroAllowed))
        {
            candidates.Add((floor, replicas));
        }

        if (maxSurge > 0)
        {
            candidates.Add((ceiling, replicas + 1));
            if (!HalfwayBetween(weight, replicas + 1) && (floor != 0 || zeroAllowed))
            {
                candidates.Add((floor, replicas + 1));
            }
        }

        if (candidates.Count == 0)
        {
            return (0, replicas);
        }

        // The first closest candidate wins (ties keep the earlier one, the rounded-up canary)
        var best = candidates[0];
        foreach (var candidate in candidates.Skip(1))
        {
            if (Distance(weight, candidate) < Distance(weight, best))
            {
                best = candidate;
            }
        }

        return (best.Canary, best.Total - best.Canary);
    }

    /// <summary>
    /// One pass of a canary without a traffic router: the counts the canary and stable replica sets get, from where
    /// they are. Stable is brought up before the canary, within maxSurge; older replica sets go first, then the side
    /// that shrinks goes down as far as maxUnavailable lets it (the availability of the side that grows is not
    /// counted on, so a broken stable never blocks a fixed canary, and a broken canary never blocks an abort).
    /// </summary>
    /// <param name="canary">The canary's replica set, if it exists.</param>
    /// <param name="stable">The stable replica set, if it exists and is not the canary's.</param>
    /// <param name="olderReplicas">spec.replicas summed over every other replica set.</param>
    public static (int Canary, int Stable) Basic(
        int replicas, int weight, int maxSurge, int maxUnavailable, ReplicaCount? canary, ReplicaCount? stable, int olderReplicas)
    {
        var (wantedCanary, wantedStable) = stable is null ? (replicas, 0) : Approximate(replicas, weight, maxSurge);
        var canaryCount = canary?.Replicas ?? 0;
        var stableCount = stable?.Replicas ?? 0;
        var ceiling = replicas + maxSurge;
        var room = ceiling - olderReplicas - canaryCount - stableCount;

        if (stable is { } s && s.Replicas < wantedStable && room > 0)
        {
            stableCount = Math.Min(wantedStable, s.Replicas + room);
            room -= stableCount - s.Replicas;
        }

        if (canary is { } c && c.Replicas < wantedCanary && room > 0)
        {
            canaryCount = Math.Min(wantedCanary, c.Replicas + room);
        }

        if (olderReplicas > 0)
        {
            // Older replica sets are scaled down before the canary or the stable one
            return (canaryCount, stableCount);
        }

        var minAvailable = replicas - maxUnavailable;
        var growing = canary is null || wantedCanary >= canary.Value.Replicas;
        var counted = Counted(canary, ignoreAvailability: !growing) + Counted(stable, ignoreAvailability: growing);
        if (counted <= minAvailable)
        {
            return (canaryCount, stableCount);
        }

        var spare = counted - minAvailable;
        if (!growing)
        {
            canaryCount = Drained(canary, wantedCanary, spare, canaryCount);
            (canaryCount, stableCount) = WithinLimits(canary, stable, canaryCount, stableCount, ceiling, minAvailable);
        }
        else if (stable is not null)
        {
            stableCount = Drained(stable, wantedStable, spare, stableCount);
            (stableCount, canaryCount) = WithinLimits(stable, canary, stableCount, canaryCount, ceiling, minAvailable);
        }

        return (canaryCount, stableCount);
    }

    /// <summary>
    /// A canary behind a traffic router: the canary is setCanaryScale's replicas, or ceil(weight × replicas) (at least
    /// minPodsPerReplicaSet when not 0); the stable stays at spec.replicas, or with dynamicStableScale follows the larger of
    /// its desired and its actual traffic share (and an aborted canary keeps the replicas its traffic still needs).
    /// </summary>
    public static (int Canary, int Stable) TrafficRouted(
        int replicas, int weight, int? canaryScaleReplicas, int? minPodsPerReplicaSet, bool dynamicStableScale,
        (int Canary, int Stable)? actualWeights = null, bool aborted = false)
    {
        var canary = canaryScaleReplicas ?? AtLeast(minPodsPerReplicaSet, replicas, Share(replicas, weight));
        if (!dynamicStableScale)
        {
            return (canary, replicas);
        }

        var stable = Share(replicas, 100 - weight);
        if (actualWeights is { } actual)
        {
            stable = Math.Max(stable, Share(replicas, actual.Stable));
            if (aborted)
            {
                canary = Math.Max(canary, Share(replicas, actual.Canary));
            }
        }

        return (AtLeast(minPodsPerReplicaSet, replicas, canary), AtLeast(minPodsPerReplicaSet, replicas, stable));
    }

    /// <summary>
    /// The weight an aborted canary with dynamicStableScale goes back to next: the largest setWeight of the steps below the
    /// weight it has now, so that traffic walks back down the steps while the stable revision grows to carry it (0 when none
    /// is lower). Argo's table names it "the next expected canary downscale step".
    /// </summary>
    public static int AbortStepWeight(IEnumerable<int> stepWeights, int actualCanaryWeight) =>
        stepWeights.Where(w => w < actualCanaryWeight).DefaultIfEmpty(0).Max();

    /// <summary>ceil(weight% of replicas).</summary>
    public static int Share(int replicas, int weight) => (int)Math.Ceiling(weight * replicas / 100.0);

    /// <summary>minPodsPerReplicaSet for a side that runs at all, never more than spec.replicas.</summary>
    private static int AtLeast(int? minimum, int replicas, int count) => count == 0 || minimum is not { } min ? count : Math.Max(count, Math.Min(min, replicas));

    /// <summary>Whether weight% of the total falls exactly halfway between two counts (3 replicas at 50%).</summary>
    private static bool HalfwayBetween(int weight, int total) => total * weight % 100 == 50;

    private static double Distance(int weight, (int Canary, int Total) candidate) => Math.Abs(candidate.Canary * 100.0 / candidate.Total - weight);

    /// <summary>The replicas a replica set is counted with toward minimum availability.</summary>
    private static int Counted(ReplicaCount? rs, bool ignoreAvailability) => rs switch
    {
        null => 0,
        { } r when r.Replicas < r.Available => r.Replicas,
        { } r => ignoreAvailability ? r.Replicas : r.Available,
    };

    /// <summary>The shrinking side, down toward its wanted count by at most the spare replicas.</summary>
    private static int Drained(ReplicaCount? rs, int wanted, int spare, int count) =>
        rs is { } r && r.Replicas > wanted ? Math.Max(wanted, r.Replicas - spare) : count;

    /// <summary>
    /// Keeps both within maxSurge (the side not drained gives back what is over the ceiling) and maxUnavailable (what it
    /// gave back is returned while availability needs it, and taken from the drained side instead).
    /// </summary>
    private static (int Drained, int Adjusted) WithinLimits(ReplicaCount? drain, ReplicaCount? adjust, int drained, int adjusted, int ceiling, int minAvailable)
    {
        if (adjust is not { } a)
        {
            return (drained, adjusted);
        }

        var available = drain is { } d ? Math.Min(d.Available, drained) : 0;
        adjusted -= Math.Max(0, adjusted + drained - ceiling);
        available += Math.Min(a.Available, adjusted);
        var givenBack = Math.Max(0, a.Available - adjusted);
        adjusted += Math.Min(givenBack, Math.Max(0, minAvailable - available));
        drained -= Math.Max(0, adjusted + drained - ceiling);
        return (drained, adjusted);
    }
}
