using Fledge.Core.Rollouts;

namespace Fledge.Core.Planning;

/// <summary>
/// Spreads a change of the desired replicas over the active replica sets in proportion to their size,
/// so that scaling mid-rollout keeps the old:new ratio. Example: 10 desired (surge 3, so 13 allowed)
/// split 8 old / 5 new, scaled to 15 (surge 4, 19 allowed): old gets round(8*19/13) - 8 = 4, new gets
/// round(5*19/13) - 5 = 2, giving 12 / 7.
/// </summary>
internal static class ProportionalScaling
{
    /// <summary>The controller's <c>scale</c>: returns after the first step that applies.</summary>
    public static void Scale(Pass pass, ReplicaSetState? newRs, OldReplicaSets oldRss)
    {
        var spec = pass.Spec;
        var activeOrLatest = FindActiveOrLatest(newRs, oldRss);
        if (activeOrLatest is not null)
        {
            if (activeOrLatest.Replicas != spec.Replicas)
            {
                pass.ScaleIfNeeded(activeOrLatest, spec.Replicas, $"the only active replica set follows spec.replicas ({spec.Replicas})", out _);
            }

            return;
        }

        if (IsSaturated(spec, newRs))
        {
            foreach (var old in oldRss)
            {
                if (old.IsActive)
                {
                    pass.ScaleIfNeeded(old, 0, "the new replica set has every desired replica available: old replica sets go to zero", out _);
                }
            }

            return;
        }

        if (spec.Strategy.Type != StrategyType.RollingUpdate)
        {
            return;
        }

        var active = oldRss.ActiveByCreation();
        if (newRs is { IsActive: true })
        {
            active.Add(newRs);
        }

        var current = 0;
        foreach (var rs in active)
        {
            current += rs.Replicas;
        }

        var allowed = spec.Replicas > 0 ? spec.Replicas + pass.MaxSurge : 0;
        var toAdd = allowed - current;
        if (toAdd > 0)
        {
            active.Sort(ReplicaSetOrder.BySizeNewer);
        }
        else if (toAdd < 0)
        {
            active.Sort(ReplicaSetOrder.BySizeOlder);
        }

        var sizes = new int[active.Count];
        var added = 0;
        for (var i = 0; i < active.Count; i++)
        {
            var proportion = toAdd != 0 ? Proportion(pass, active[i], toAdd, added) : 0;
            sizes[i] = active[i].Replicas + proportion;
            added += proportion;
        }

        for (var i = 0; i < active.Count; i++)
        {
            if (i == 0 && toAdd != 0)
            {
                sizes[0] = Math.Max(0, sizes[0] + toAdd - added);
            }

            pass.Scale(active[i], sizes[i],
                $"spec.replicas is now {spec.Replicas} ({allowed} allowed with surge): {toAdd:+#;-#;0} replicas shared in proportion to size", out _);
        }
    }

    /// <summary>The only active replica set, or the newest one when none is active; null when several are active.</summary>
    public static ReplicaSetState? FindActiveOrLatest(ReplicaSetState? newRs, OldReplicaSets oldRss)
    {
        ReplicaSetState? onlyActive = null;
        var activeCount = 0;
        ReplicaSetState? newestOld = null;
        foreach (var rs in oldRss)
        {
            if (newestOld is null || ReplicaSetOrder.ByCreation(rs, newestOld) > 0)
            {
                newestOld = rs;
            }

            if (rs.IsActive)
            {
                onlyActive = rs;
                activeCount++;
            }
        }

        if (newRs is { IsActive: true })
        {
            onlyActive = newRs;
            activeCount++;
        }

        return activeCount switch
        {
            0 => newRs ?? newestOld,
            1 => onlyActive,
            _ => null,
        };
    }

    /// <summary>The new replica set has all desired replicas, all available, and was sized for this replica count.</summary>
    public static bool IsSaturated(RolloutSpec spec, ReplicaSetState? rs) =>
        rs is not null
        && rs.Replicas == spec.Replicas
        && rs.DesiredReplicasAnnotation == spec.Replicas
        && rs.AvailableReplicas == spec.Replicas;

    /// <summary>
    /// GetProportion: this replica set's share of <paramref name="toAdd"/>, bounded by what is left.
    /// </summary>
    public static int Proportion(Pass pass, ReplicaSetState rs, int toAdd, int added)
    {
        if (rs.Replicas == 0 || toAdd == 0 || toAdd == added)
        {
            return 0;
        }

        var fraction = Fraction(pass, rs);
        var allowed = toAdd - added;
        return toAdd > 0 ? Math.Min(fraction, allowed) : Math.Max(fraction, allowed);
    }

    /// <summary>
    /// getReplicaSetFraction: round(size * (desired + maxSurge) / maxReplicasBefore) - size, rounding
    /// halves away from zero as Go's math.Round does (2.5 becomes 3, not banker's 2).
    /// </summary>
    public static int Fraction(Pass pass, ReplicaSetState rs)
    {
        var spec = pass.Spec;
        if (spec.Replicas == 0)
        {
            return -rs.Replicas;
        }

        var maxNow = spec.Replicas + pass.MaxSurge;
        var maxBefore = rs.MaxReplicasAnnotation ?? 0;
        if (maxBefore == 0)
        {
            maxBefore = pass.Status.Replicas;
            if (maxBefore == 0)
            {
                return 0;
            }
        }

        var scaled = (double)rs.Replicas * maxNow / maxBefore;
        return (int)Math.Round(scaled, MidpointRounding.AwayFromZero) - rs.Replicas;
    }
}
