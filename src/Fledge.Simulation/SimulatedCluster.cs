using System.Collections.Immutable;
using System.Globalization;
using Fledge.Control;
using Fledge.Core.Planning;
using Fledge.Core.Rollouts;

namespace Fledge.Simulation;

/// <summary>
/// A platform on a virtual clock: replica sets own simulated replicas that become ready after a delay
/// (or never, for chosen images). Scaling down removes replicas that are not ready first, then the newest,
/// as the ReplicaSet controller does.
/// </summary>
internal sealed class SimulatedCluster(SimulationOptions options) : IRolloutPlatform
{
    private readonly Dictionary<string, (ReplicaSetState State, List<SimulatedPod> Pods)> _replicaSets = new(StringComparer.Ordinal);
    private readonly List<string> _events = [];

    public Rollout Rollout { get; set; } = options.Initial;

    public IEnumerable<ReplicaSetState> ReplicaSetStates(DateTimeOffset now) =>
        _replicaSets.Values.Select(rs => Observe(rs.State, rs.Pods, now));

    public RolloutSnapshot Observe(string rolloutName, DateTimeOffset now)
    {
        RemoveGone(now);
        return new RolloutSnapshot(Rollout, ReplicaSetStates(now).ToImmutableArray(), now) { Templates = options.Templates };
    }

    public void Apply(string rolloutName, PlanAction action, DateTimeOffset now)
    {
        switch (action)
        {
            case CreateReplicaSet create:
                _replicaSets[create.ReplicaSet.Name] = (create.ReplicaSet, []);
                Resize(create.ReplicaSet.Name, now);
                break;
            case ScaleReplicaSet scale:
                Update(scale.Name, scale.ApplyTo);
                Resize(scale.Name, now);
                break;
            case AnnotateReplicaSet annotate:
                Update(annotate.Name, annotate.ApplyTo);
                break;
            case DeleteReplicaSet delete:
                _replicaSets.Remove(delete.Name);
                _events.Add($"deleted replica set {delete.Name} (revision {delete.Revision})");
                break;
            case SetRolloutRevision revision:
                Rollout = Rollout with
                {
                    Annotations = Rollout.Annotations.SetItem(Annotations.Revision, revision.Revision.ToString(CultureInfo.InvariantCulture)),
                };
                break;
            case UpdateRolloutStatus status:
                Rollout = Rollout with { Status = status.Status };
                break;
            case RecordEvent recorded:
                _events.Add(recorded.Message);
                break;
        }
    }

    /// <summary>Events recorded since the last call.</summary>
    public IReadOnlyList<string> TakeEvents()
    {
        var events = _events.ToList();
        _events.Clear();
        return events;
    }

    public void Note(string message) => _events.Add(message);

    /// <summary>The next instant at which a replica becomes ready, available, or gone; null when none will.</summary>
    public DateTimeOffset? NextChange(DateTimeOffset now)
    {
        DateTimeOffset? next = null;
        foreach (var (_, pods) in _replicaSets.Values)
        {
            foreach (var pod in pods)
            {
                Consider(pod.GoneAt);
                if (!pod.IsTerminating && pod.ReadyAt is { } ready)
                {
                    Consider(ready);
                    Consider(ready + TimeSpan.FromSeconds(Rollout.Spec.MinReadySeconds));
                }
            }
        }

        return next;

        void Consider(DateTimeOffset? at)
        {
            if (at > now && (next is null || at < next))
            {
                next = at;
            }
        }
    }

    private ReplicaSetState Observe(ReplicaSetState state, List<SimulatedPod> pods, DateTimeOffset now)
    {
        int running = 0, ready = 0, available = 0, terminating = 0;
        foreach (var pod in pods)
        {
            if (pod.IsTerminating)
            {
                terminating++;
                continue;
            }

            running++;
            ready += pod.IsReady(now) ? 1 : 0;
            available += pod.IsAvailable(now, Rollout.Spec.MinReadySeconds) ? 1 : 0;
        }

        return state with { ObservedReplicas = running, ReadyReplicas = ready, AvailableReplicas = available, TerminatingReplicas = terminating };
    }

    private void Update(string name, Func<ReplicaSetState, ReplicaSetState> change)
    {
        var (state, pods) = _replicaSets[name];
        _replicaSets[name] = (change(state), pods);
    }

    /// <summary>The ReplicaSet controller: create or remove replicas until the running count matches spec.replicas.</summary>
    private void Resize(string name, DateTimeOffset now)
    {
        var (state, pods) = _replicaSets[name];
        var running = pods.Where(p => !p.IsTerminating).ToList();
        for (var i = running.Count; i < state.Replicas; i++)
        {
            var readyAt = options.NeverReadyImages.Contains(state.Template.Image) ? (DateTimeOffset?)null : now + options.ReadyAfter;
            pods.Add(new SimulatedPod(now, readyAt));
        }

        var excess = running.Count - state.Replicas;
        if (excess <= 0)
        {
            return;
        }

        var victims = running
            .OrderBy(p => p.IsReady(now) ? 1 : 0)
            .ThenByDescending(p => p.CreatedAt)
            .Take(excess);
        foreach (var pod in victims)
        {
            pod.GoneAt = now + options.TerminateAfter;
        }

        RemoveGone(now);
    }

    private void RemoveGone(DateTimeOffset now)
    {
        foreach (var (_, pods) in _replicaSets.Values)
        {
            pods.RemoveAll(p => p.GoneAt <= now);
        }
    }
}
