using System.Collections.Immutable;
using Fledge.Core.Rollouts;

namespace Fledge.Core.Planning;

/// <summary>
/// Which replica set is new, revision numbers and their history, creating the new replica set, and
/// deleting old ones beyond revisionHistoryLimit.
/// </summary>
internal static class Revisions
{
    /// <summary>Kubernetes caps the revision-history annotation at 2000 characters, dropping the oldest entries.</summary>
    public const int MaxRevisionHistoryLength = 2000;

    /// <summary>The oldest replica set whose template equals the rollout's, ignoring pod-template-hash.</summary>
    public static ReplicaSetState? FindNew(RolloutSpec spec, ImmutableArray<ReplicaSetState> all)
    {
        ReplicaSetState? found = null;
        foreach (var rs in all)
        {
            if (rs.Template.SameAs(spec.Template) && (found is null || ReplicaSetOrder.ByCreation(rs, found) < 0))
            {
                found = rs;
            }
        }

        return found;
    }

    /// <summary>
    /// getAllReplicaSetsAndSyncRevision: splits the replica sets into the new one and the old ones, gives the
    /// new one the next revision (remembering its former number in revision-history, which is how an undo
    /// renumbers), and creates it when asked to and it is missing.
    /// </summary>
    public static (ReplicaSetState? New, OldReplicaSets Old) SyncRevision(Pass pass, bool createIfMissing)
    {
        var existing = FindNew(pass.Spec, pass.ReplicaSets);
        var old = new OldReplicaSets(pass.ReplicaSets, existing?.Name);
        long maxOldRevision = 0;
        foreach (var rs in old)
        {
            maxOldRevision = Math.Max(maxOldRevision, rs.Revision);
        }

        var newRevision = maxOldRevision + 1;
        if (existing is not null)
        {
            var synced = SyncExisting(pass, existing, newRevision);
            pass.RolloutRevision = synced.Revision;
            if (pass.Spec.ProgressDeadlineSeconds is not null && pass.Status.Condition(ConditionTypes.Progressing) is null)
            {
                pass.Status = Progress.WithCondition(pass.Status, new RolloutCondition(ConditionTypes.Progressing,
                    ConditionStatus.True, ConditionReasons.FoundNewReplicaSet, $"Found new replica set \"{synced.Name}\"", pass.Now, pass.Now));
            }

            return (synced, old);
        }

        if (!createIfMissing)
        {
            return (null, old);
        }

        var created = Create(pass, old, newRevision);
        return (created, old);
    }

    private static ReplicaSetState SyncExisting(Pass pass, ReplicaSetState rs, long newRevision)
    {
        var annotations = CopyRolloutAnnotations(pass.Rollout, rs.CopiedAnnotations);
        var revision = rs.Revision;
        var history = rs.RevisionHistory;
        if (rs.Revision < newRevision)
        {
            if (rs.Revision > 0)
            {
                history = AppendHistory(rs.RevisionHistory, rs.Revision);
            }

            revision = newRevision;
        }

        if (revision == rs.Revision && ReferenceEquals(annotations, rs.CopiedAnnotations))
        {
            return rs;
        }

        var updated = rs with { Revision = revision, RevisionHistory = history, Annotations = annotations };
        pass.Replace(updated);
        var reason = revision != rs.Revision
            ? $"{rs.Name} matches the rollout's template again: it becomes revision {revision} (was {rs.Revision})"
            : $"copy the rollout's annotations to {rs.Name}";
        pass.Add(new AnnotateReplicaSet(rs.Name, revision, history, rs.DesiredReplicasAnnotation, rs.MaxReplicasAnnotation, annotations, reason));
        return updated;
    }

    private static ReplicaSetState Create(Pass pass, OldReplicaSets old, long revision)
    {
        var spec = pass.Spec;
        var collisionCount = pass.Status.CollisionCount;
        string hash;
        string name;
        while (true)
        {
            hash = collisionCount == 0 ? spec.Template.Hash : PodTemplateHasher.Hash(spec.Template.Key, collisionCount);
            name = $"{pass.Rollout.Name}-{hash}";
            if (!Contains(old, name))
            {
                break;
            }

            collisionCount++;
        }

        if (collisionCount != pass.Status.CollisionCount)
        {
            pass.Status = pass.Status with { CollisionCount = collisionCount };
        }

        var template = new PodTemplate(PodTemplateHasher.WithHashLabel(spec.Template.Spec, hash), spec.Template.Key, hash);
        var draft = new ReplicaSetState(name, template, pass.Now, revision, 0,
            DesiredReplicasAnnotation: spec.Replicas,
            MaxReplicasAnnotation: spec.Replicas + pass.MaxSurge,
            Annotations: CopyRolloutAnnotations(pass.Rollout, ImmutableSortedDictionary<string, string>.Empty));
        var current = 0;
        foreach (var rs in old)
        {
            current += rs.Replicas;
        }

        var replicas = Fenceposts.NewReplicaSetReplicas(spec, current, draft);
        var created = draft with { Replicas = replicas };
        pass.Replace(created);
        pass.Add(new CreateReplicaSet(created, $"no replica set matches the rollout's template: create {name} as revision {revision} with {replicas} replicas"));
        if (replicas > 0)
        {
            pass.Event(RecordEvent.Normal, "ScalingReplicaSet", $"Scaled up replica set {name} from 0 to {replicas}");
        }

        pass.RolloutRevision = revision;
        if (spec.ProgressDeadlineSeconds is not null)
        {
            pass.Status = Progress.WithCondition(pass.Status, new RolloutCondition(ConditionTypes.Progressing,
                ConditionStatus.True, ConditionReasons.NewReplicaSetCreated, $"Created new replica set \"{name}\"", pass.Now, pass.Now));
        }

        return created;
    }

    private static bool Contains(OldReplicaSets old, string name)
    {
        foreach (var rs in old)
        {
            if (rs.Name == name)
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>Copies the rollout's annotations onto the replica set's, except the controller's own keys; never removes.</summary>
    private static ImmutableSortedDictionary<string, string> CopyRolloutAnnotations(
        Rollout rollout, ImmutableSortedDictionary<string, string> current)
    {
        var result = current;
        foreach (var (key, value) in rollout.Annotations)
        {
            if (!Annotations.IsSkippedOnCopy(key) && (!result.TryGetValue(key, out var existing) || existing != value))
            {
                result = result.SetItem(key, value);
            }
        }

        return result;
    }

    /// <summary>Appends a former revision number, dropping the oldest entries past 2000 characters.</summary>
    public static string AppendHistory(string? history, long revision)
    {
        var entry = revision.ToString(System.Globalization.CultureInfo.InvariantCulture);
        if (string.IsNullOrEmpty(history))
        {
            return entry;
        }

        var entries = history.Split(',');
        var total = history.Length + entry.Length + 1;
        var start = 0;
        while (total > MaxRevisionHistoryLength && start < entries.Length)
        {
            total -= entries[start].Length + 1;
            start++;
        }

        return string.Join(',', entries.Skip(start).Append(entry));
    }

    /// <summary>
    /// cleanupDeployment: deletes the oldest old replica sets beyond revisionHistoryLimit, but only those
    /// scaled to zero with no replicas left. A replica set that cannot go yet is skipped, not replaced.
    /// </summary>
    public static void Cleanup(Pass pass, OldReplicaSets old)
    {
        if (pass.Spec.RevisionHistoryLimit is not { } limit)
        {
            return;
        }

        var count = old.Count;
        var diff = count - limit;
        if (diff <= 0)
        {
            return;
        }

        var byRevision = old.ToList();
        byRevision.Sort(ReplicaSetOrder.ByRevision);
        for (var i = 0; i < diff; i++)
        {
            var rs = byRevision[i];
            if (rs.ObservedReplicas != 0 || rs.Replicas != 0 || rs.TerminatingReplicas != 0)
            {
                continue;
            }

            pass.Remove(rs.Name);
            pass.Add(new DeleteReplicaSet(rs.Name, rs.Revision,
                $"revisionHistoryLimit is {limit} and {count} old replica sets exist: delete revision {rs.Revision}, the oldest"));
        }
    }
}
