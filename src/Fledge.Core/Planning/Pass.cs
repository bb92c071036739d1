using System.Collections.Immutable;
using System.Globalization;
using Fledge.Core.Rollouts;

namespace Fledge.Core.Planning;

/// <summary>
/// The working state of one reconcile pass. Steps read and change it the way the Kubernetes controller
/// reads and changes the objects it has just written, and every change is recorded as an action.
/// </summary>
internal sealed class Pass
{
    private List<PlanAction>? _actions;
    private readonly RolloutStatus _initialStatus;
    private readonly long _initialRevision;

    public Pass(RolloutSnapshot snapshot)
    {
        Rollout = snapshot.Rollout;
        Now = snapshot.Now;
        Templates = snapshot.Templates;
        Status = snapshot.Rollout.Status;
        _initialStatus = Status;
        _initialRevision = RolloutRevisionOf(snapshot.Rollout);
        RolloutRevision = _initialRevision;
        // An experiment's replica sets are the rollout's, but no revision of it: the strategies never see them.
        ReplicaSets = snapshot.ReplicaSets.RemoveAll(Experiments.IsExperiment);
        ExperimentReplicaSets = snapshot.ReplicaSets.RemoveAll(rs => !Experiments.IsExperiment(rs));
    }

    public Rollout Rollout { get; }

    public System.Collections.Immutable.ImmutableDictionary<string, Analysis.AnalysisTemplate> Templates { get; }

    public RolloutSpec Spec => Rollout.Spec;

    public DateTimeOffset Now { get; }

    /// <summary>The rollout's status as last written in this pass (the controller's d.Status).</summary>
    public RolloutStatus Status { get; set; }

    public long RolloutRevision { get; set; }

    /// <summary>The replica sets as this pass has left them; replaced, never changed in place (old views stay as they were).</summary>
    public ImmutableArray<ReplicaSetState> ReplicaSets { get; private set; }

    /// <summary>The replica sets of the rollout's experiment steps, as this pass has left them.</summary>
    public ImmutableArray<ReplicaSetState> ExperimentReplicaSets { get; set; }

    public TimeSpan? RequeueAfter { get; set; }

    public int MaxSurge => Fenceposts.MaxSurge(Spec);

    public void Add(PlanAction action) => (_actions ??= new List<PlanAction>(4)).Add(action);

    public void Event(string type, string reason, string message) => Add(new RecordEvent(type, reason, message));

    public void Replace(ReplicaSetState updated)
    {
        for (var i = 0; i < ReplicaSets.Length; i++)
        {
            if (ReplicaSets[i].Name == updated.Name)
            {
                ReplicaSets = ReplicaSets.SetItem(i, updated);
                return;
            }
        }

        ReplicaSets = ReplicaSets.Add(updated);
    }

    public void Remove(string name) => ReplicaSets = ReplicaSets.RemoveAll(rs => rs.Name == name);

    /// <summary>The replica set of that name as this pass has left it, or null.</summary>
    public ReplicaSetState? Find(string? name)
    {
        foreach (var rs in ReplicaSets)
        {
            if (rs.Name == name)
            {
                return rs;
            }
        }

        return null;
    }

    /// <summary>Asks to be run again after <paramref name="after"/> (at least a second), unless an earlier time was asked for.</summary>
    public void RequeueWithin(TimeSpan? after)
    {
        if (after is not { } delay)
        {
            return;
        }

        delay = delay > TimeSpan.Zero ? delay : TimeSpan.FromSeconds(1);
        if (RequeueAfter is null || delay < RequeueAfter)
        {
            RequeueAfter = delay;
        }
    }

    /// <summary>The sum of spec.replicas over every replica set.</summary>
    public int TotalReplicas()
    {
        var total = 0;
        foreach (var rs in ReplicaSets)
        {
            total += rs.Replicas;
        }

        return total;
    }

    /// <summary>
    /// scaleReplicaSetAndRecordEvent: scale when the size differs, writing the desired and max replica
    /// annotations with it. Returns the replica set as it now is.
    /// </summary>
    public ReplicaSetState ScaleIfNeeded(ReplicaSetState rs, int to, string why, out bool scaled)
    {
        scaled = false;
        if (rs.Replicas == to)
        {
            return rs;
        }

        return Scale(rs, to, why, out scaled);
    }

    /// <summary>scaleReplicaSet: writes when the size or the replica annotations change.</summary>
    public ReplicaSetState Scale(ReplicaSetState rs, int to, string why, out bool scaled)
    {
        var desired = Spec.Replicas;
        var max = Spec.Replicas + MaxSurge;
        scaled = rs.Replicas != to;
        var annotationsChange = rs.DesiredReplicasAnnotation != desired || rs.MaxReplicasAnnotation != max;
        if (!scaled && !annotationsChange)
        {
            return rs;
        }

        var updated = rs with { Replicas = to, DesiredReplicasAnnotation = desired, MaxReplicasAnnotation = max };
        Replace(updated);
        if (scaled)
        {
            var direction = to > rs.Replicas ? "up" : "down";
            Add(new ScaleReplicaSet(rs.Name, rs.Replicas, to, desired, max, why));
            Event(RecordEvent.Normal, "ScalingReplicaSet", $"Scaled {direction} replica set {rs.Name} from {rs.Replicas} to {to}");
        }
        else
        {
            Add(new AnnotateReplicaSet(rs.Name, rs.Revision, rs.RevisionHistory, desired, max, rs.CopiedAnnotations,
                $"record desired replicas {desired} and max replicas {max} on {rs.Name}"));
        }

        return updated;
    }

    /// <summary>Ends the pass: the rollout revision and status are written when they changed.</summary>
    public RolloutPlan Finish(Func<Pass, string> statusReason)
    {
        if (RolloutRevision != _initialRevision)
        {
            Add(new SetRolloutRevision(RolloutRevision, $"the new replica set has revision {RolloutRevision}"));
        }

        if (!Status.Equals(_initialStatus))
        {
            Add(new UpdateRolloutStatus(Status, statusReason(this)));
        }

        return new RolloutPlan(_actions is null ? ImmutableArray<PlanAction>.Empty : _actions.ToImmutableArray(), RequeueAfter);
    }

    private static long RolloutRevisionOf(Rollout rollout) =>
        rollout.Annotations.TryGetValue(Annotations.Revision, out var text)
        && long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var revision)
            ? revision
            : 0;
}
