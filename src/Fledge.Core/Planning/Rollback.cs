using System.Collections.Immutable;
using Fledge.Core.Rollouts;

namespace Fledge.Core.Planning;

/// <summary>The outcome of an undo: the rollout to apply, or why nothing changes.</summary>
public sealed record RollbackResult(Rollout? Rollout, long Revision, string Message, bool Failed)
{
    public bool Changed => Rollout is not null;
}

/// <summary>
/// `rollout undo`: puts the template of an earlier revision back into the rollout. The next pass then
/// finds that revision's replica set as the new one and gives it the newest number, as a Deployment
/// does: history 1, 2, 3 → undo → 1, 3, 4 → undo to 3 → 1, 4, 5.
/// </summary>
public static class Rollback
{
    /// <param name="toRevision">The revision to go back to; 0 means the one before the current.</param>
    public static RollbackResult Undo(Rollout rollout, IReadOnlyList<ReplicaSetState> replicaSets, long toRevision)
    {
        if (rollout.Spec.Paused)
        {
            return new RollbackResult(null, toRevision,
                $"you cannot rollback a paused rollout; resume it first with 'fledge rollout resume {rollout.Name}' and try again", Failed: true);
        }

        var target = toRevision == 0 ? Previous(replicaSets) : Find(replicaSets, toRevision);
        if (target is null)
        {
            return toRevision == 0
                ? new RollbackResult(null, 0, $"no rollout history found for \"{rollout.Name}\": there is no previous revision", Failed: true)
                : new RollbackResult(null, toRevision, $"unable to find specified revision {toRevision} in history", Failed: true);
        }

        if (target.Template.SameAs(rollout.Spec.Template))
        {
            return new RollbackResult(null, target.Revision,
                $"skipped rollback (current template already matches revision {target.Revision})", Failed: false);
        }

        var annotations = ImmutableSortedDictionary<string, string>.Empty;
        foreach (var (key, value) in target.CopiedAnnotations)
        {
            if (!Annotations.IsSkippedOnCopy(key))
            {
                annotations = annotations.SetItem(key, value);
            }
        }

        if (rollout.Annotations.TryGetValue(Annotations.Revision, out var revision))
        {
            annotations = annotations.SetItem(Annotations.Revision, revision);
        }

        var template = PodTemplate.From(PodTemplateHasher.WithoutHashLabel(target.Template.Spec));
        var rolledBack = rollout with
        {
            Generation = rollout.Generation + 1,
            Annotations = annotations,
            Spec = rollout.Spec with { Template = template },
        };
        return new RollbackResult(rolledBack, target.Revision, $"rolled back to revision {target.Revision}", Failed: false);
    }

    private static ReplicaSetState? Find(IReadOnlyList<ReplicaSetState> replicaSets, long revision)
    {
        foreach (var rs in replicaSets)
        {
            if (rs.Revision == revision)
            {
                return rs;
            }
        }

        return null;
    }

    /// <summary>The replica set with the second-highest revision.</summary>
    private static ReplicaSetState? Previous(IReadOnlyList<ReplicaSetState> replicaSets)
    {
        ReplicaSetState? max = null;
        ReplicaSetState? second = null;
        foreach (var rs in replicaSets)
        {
            if (max is null || rs.Revision > max.Revision)
            {
                second = max;
                max = rs;
            }
            else if (rs.Revision < max.Revision && (second is null || rs.Revision > second.Revision))
            {
                second = rs;
            }
        }

        return second;
    }
}
