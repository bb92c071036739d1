using System.Globalization;
using Fledge.Control;
using Fledge.Core.Analysis;
using Fledge.Core.Planning;
using Fledge.Core.Rollouts;

namespace Fledge.Simulation;

/// <summary>
/// Runs the planner on a virtual clock: time jumps from one change to the next (a replica becoming ready,
/// a deadline check, a scripted event), so a ten-minute rollout takes milliseconds and never sleeps.
/// </summary>
public sealed class Simulator
{
    private static readonly DateTimeOffset Epoch = DateTimeOffset.UnixEpoch;

    private readonly SimulationOptions _options;
    private readonly SimulatedCluster _cluster;
    private readonly List<Frame> _frames = [];
    private readonly List<AppliedVersion> _applies = [];
    private readonly List<ScriptedEvent> _pending;
    private readonly Queue<Rollout> _updates;
    private List<FrameReplicaSet> _lastView = [];
    private DateTimeOffset _now = Epoch;

    public Simulator(SimulationOptions options)
    {
        _options = options;
        _cluster = new SimulatedCluster(options);
        _pending = options.Events.OrderBy(e => e.At).ToList();
        _updates = new Queue<Rollout>(options.Updates);
    }

    public static SimulationResult Run(SimulationOptions options) => new Simulator(options).Run();

    private string Name => _cluster.Rollout.Name;

    private SimulationResult Run()
    {
        var awaitingRevision = Applied(_options.Initial.Spec.Template.Image, "created");
        var settledAt = _now;
        while (true)
        {
            FireDueEvents(ref awaitingRevision);
            TakeMeasurements();
            var reconcile = Reconciler.Reconcile(_cluster, Name, _now, _ => Record());
            Record();
            if (awaitingRevision >= 0)
            {
                _applies[awaitingRevision] = _applies[awaitingRevision] with { Revision = CurrentRevision() };
                awaitingRevision = -1;
            }

            var outcome = Settled();
            if (outcome is not null && _updates.Count > 0)
            {
                Update(_updates.Dequeue(), "applied");
                awaitingRevision = _applies.Count - 1;
                continue;
            }

            if (outcome is not null && _pending.Count == 0)
            {
                return Result(outcome.Value, _now);
            }

            if (outcome is not null)
            {
                settledAt = _now;
            }

            var next = Earliest(_cluster.NextChange(_now), reconcile.RequeueAfter is { } after ? _now + after : null,
                _pending.Count > 0 ? Epoch + _pending[0].At : null);
            if (next is null || next.Value - Epoch > _options.MaxDuration)
            {
                return Result(outcome ?? SimulationOutcome.Stalled, outcome is null ? _now : settledAt);
            }

            _now = next.Value;
        }
    }

    private void FireDueEvents(ref int awaitingRevision)
    {
        while (_pending.Count > 0 && Epoch + _pending[0].At <= _now)
        {
            var scripted = _pending[0];
            _pending.RemoveAt(0);
            var rollout = _cluster.Rollout;
            switch (scripted.Action)
            {
                case ScriptedAction.Scale:
                    ChangeSpec(rollout.Spec with { Replicas = (int)scripted.Number!.Value }, $"scaled to {scripted.Number} replicas");
                    break;
                case ScriptedAction.Pause:
                    ChangeSpec(rollout.Spec with { Paused = true }, "paused");
                    break;
                case ScriptedAction.Resume:
                    ChangeSpec(rollout.Spec with { Paused = false }, "resumed");
                    break;
                case ScriptedAction.Undo:
                    var undo = Rollback.Undo(rollout, _cluster.ReplicaSetStates(_now).ToList(), scripted.Number ?? 0);
                    _cluster.Note(undo.Failed ? $"undo failed: {undo.Message}" : undo.Message);
                    if (undo.Rollout is { } rolledBack)
                    {
                        _cluster.Rollout = rolledBack;
                        awaitingRevision = Applied(rolledBack.Spec.Template.Image, scripted.Text);
                    }

                    break;
                case ScriptedAction.Apply:
                    Update(scripted.Manifest!, scripted.Text);
                    awaitingRevision = _applies.Count - 1;
                    break;
                default:
                    var request = scripted.Action switch
                    {
                        ScriptedAction.Promote => CanaryRequest.Promote,
                        ScriptedAction.PromoteFull => CanaryRequest.PromoteFull,
                        ScriptedAction.Abort => CanaryRequest.Abort,
                        _ => CanaryRequest.Retry,
                    };
                    var (canary, message) = CanaryRequests.Apply(rollout, request, _now);
                    if (canary is not null)
                    {
                        _cluster.Rollout = rollout with { Status = rollout.Status with { Canary = canary } };
                    }

                    _cluster.Note(message);
                    break;
            }
        }
    }

    /// <summary>Takes the analysis measurements due now, reading the simulated value of each metric for the canary's image.</summary>
    private void TakeMeasurements()
    {
        var rollout = _cluster.Rollout;
        if (rollout.Status.Canary is not { } canary)
        {
            return;
        }

        // The revision under analysis: the canary (or preview), or after a blue-green switch the newly active one.
        var judged = canary.CanaryReplicaSet ?? canary.StableReplicaSet;
        var image = _cluster.ReplicaSetStates(_now).FirstOrDefault(rs => rs.Name == judged)?.Template.Image ?? "";
        foreach (var due in CanaryAnalysis.Due(rollout, _options.Templates, _now))
        {
            var measurement = _options.MetricValues.TryGetValue((due.Metric.Name, image), out var value)
                ? MeasurementAssessor.Assess(due.Metric, [value], _now, _now)
                // A webhook gate is taken to answer as a release that goes well would: yes to confirm-*, no to rollback
                : due.Metric.Provider.Kind == "webhook"
                ? MeasurementAssessor.Assess(due.Metric, [due.Metric.Provider.Setting("type") == Core.Rollouts.Webhook.Rollback ? 0 : 1], _now, _now)
                : Measurement.Error(_now, $"no simulated value for metric \"{due.Metric.Name}\" on {image}; add --metric {due.Metric.Name}=VALUE@{image}");
            canary = CanaryAnalysis.Record(canary, due.Background, due.Metric, measurement);
            _cluster.Note($"measured {measurement.Message} ({measurement.Phase})");
        }

        _cluster.Rollout = rollout with { Status = rollout.Status with { Canary = canary } };
    }

    private void ChangeSpec(RolloutSpec spec, string note)
    {
        var rollout = _cluster.Rollout;
        _cluster.Rollout = rollout with { Spec = spec, Generation = rollout.Generation + 1 };
        _cluster.Note($"{rollout.Name} {note}");
    }

    /// <summary>kubectl apply of a new version: the spec and annotations are replaced, the revision annotation kept.</summary>
    private void Update(Rollout manifest, string source)
    {
        var current = _cluster.Rollout;
        if (manifest.Name != current.Name)
        {
            throw new ArgumentException($"rollout \"{manifest.Name}\" is not the simulated rollout \"{current.Name}\"", nameof(manifest));
        }

        var annotations = manifest.Annotations;
        if (current.Annotations.TryGetValue(Annotations.Revision, out var revision))
        {
            annotations = annotations.SetItem(Annotations.Revision, revision);
        }

        _cluster.Rollout = current with { Spec = manifest.Spec, Annotations = annotations, Generation = current.Generation + 1 };
        _cluster.Note($"applied {manifest.Spec.Template.Image}");
        Applied(manifest.Spec.Template.Image, source);
    }

    private int Applied(string image, string source)
    {
        _applies.Add(new AppliedVersion(Seconds(_now), 0, image, source));
        return _applies.Count - 1;
    }

    private long CurrentRevision() =>
        _cluster.Rollout.Annotations.TryGetValue(Annotations.Revision, out var text) ? long.Parse(text, CultureInfo.InvariantCulture) : 0;

    /// <summary>Adds a frame when the replica sets look different from the last frame, or events happened.</summary>
    private void Record()
    {
        var view = _cluster.ReplicaSetStates(_now)
            .Where(rs => rs.Replicas > 0 || rs.ObservedReplicas > 0 || rs.TerminatingReplicas > 0)
            .OrderBy(rs => rs.Revision)
            .Select(rs => new FrameReplicaSet(rs.Revision, rs.Name, rs.Template.Image, rs.Replicas, rs.ReadyReplicas, rs.AvailableReplicas, rs.TerminatingReplicas))
            .ToList();
        var events = _cluster.TakeEvents();
        var traffic = TrafficOf(view);
        var phase = PhaseOf(_cluster.Rollout);
        var last = _frames.Count > 0 ? _frames[^1] : null;
        if (events.Count == 0 && view.SequenceEqual(_lastView) && last is not null && last.Phase == phase
            && last.Traffic.Count == traffic.Count && !last.Traffic.Except(traffic).Any())
        {
            return;
        }

        _frames.Add(new Frame(Seconds(_now), view, events) { Traffic = traffic, Phase = phase });
        _lastView = view;
    }

    /// <summary>Who gets the requests: the canary's exact weight with a router, else each revision's share of ready replicas.</summary>
    private Dictionary<string, int> TrafficOf(List<FrameReplicaSet> view)
    {
        var rollout = _cluster.Rollout;
        var traffic = new Dictionary<string, int>();
        if ((rollout.Spec.Strategy.Canary is { TrafficRouted: true } || rollout.Spec.Strategy.BlueGreen is not null) && rollout.Status.Canary is { } canary)
        {
            var stable = view.FirstOrDefault(rs => rs.Name == canary.StableReplicaSet);
            var canaryRs = view.FirstOrDefault(rs => rs.Name == canary.CanaryReplicaSet);
            if (stable is not null)
            {
                traffic[Key(stable.Revision)] = canaryRs is null ? 100 : 100 - canary.Weight;
            }

            if (canaryRs is not null && canary.Weight > 0)
            {
                traffic[Key(canaryRs.Revision)] = canary.Weight;
            }

            return traffic;
        }

        var ready = view.Sum(rs => rs.Ready);
        foreach (var rs in view.Where(rs => rs.Ready > 0))
        {
            traffic[Key(rs.Revision)] = (int)Math.Round(100.0 * rs.Ready / ready, MidpointRounding.AwayFromZero);
        }

        return traffic;

        static string Key(long revision) => revision.ToString(CultureInfo.InvariantCulture);
    }

    /// <summary>The phase as Argo Rollouts names it; derived from the conditions for Deployment-style rollouts.</summary>
    private static string PhaseOf(Rollout rollout)
    {
        if (rollout.Status.Canary is { } canary)
        {
            return canary.Phase;
        }

        var progressing = rollout.Status.Condition(ConditionTypes.Progressing);
        return rollout.Spec.Paused ? RolloutPhases.Paused
            : progressing?.Reason == ConditionReasons.ProgressDeadlineExceeded ? RolloutPhases.Degraded
            : progressing?.Reason == ConditionReasons.NewReplicaSetAvailable || progressing is null && rollout.Status.UpdatedReplicas == rollout.Spec.Replicas
                && rollout.Status.AvailableReplicas == rollout.Spec.Replicas ? RolloutPhases.Healthy
            : RolloutPhases.Progressing;
    }

    private SimulationOutcome? Settled()
    {
        var rollout = _cluster.Rollout;
        var status = rollout.Status;
        if (status.Condition(ConditionTypes.Progressing)?.Reason == ConditionReasons.ProgressDeadlineExceeded)
        {
            return SimulationOutcome.ProgressDeadlineExceeded;
        }

        if (_cluster.NextChange(_now) is not null)
        {
            return null;
        }

        if (rollout.Spec.Paused)
        {
            return SimulationOutcome.Paused;
        }

        if (status.Canary is { } canary)
        {
            return canary.Phase switch
            {
                RolloutPhases.Healthy => SimulationOutcome.Complete,
                RolloutPhases.Paused when canary.PauseStartTime is not null && IsIndefinitePause(rollout) => SimulationOutcome.Paused,
                RolloutPhases.Degraded when _cluster.ReplicaSetStates(_now).All(rs => rs.Name == canary.StableReplicaSet || rs.Replicas == 0)
                    || rollout.Spec.Strategy.Canary?.KeepsAbortedCanary == true || rollout.Spec.Strategy.BlueGreen?.KeepsAbortedPreview == true => SimulationOutcome.Aborted,
                _ => null,
            };
        }

        var desired = rollout.Spec.Replicas;
        var complete = status.UpdatedReplicas == desired && status.Replicas == desired && status.AvailableReplicas == desired
            && status.ObservedGeneration >= rollout.Generation;
        return complete ? SimulationOutcome.Complete : null;
    }

    private static bool IsIndefinitePause(Rollout rollout) =>
        rollout.Status.Canary is { } canary
        && (rollout.Spec.Strategy.BlueGreen is { AutoPromotionEnabled: false }
            || rollout.Spec.Strategy.Canary is { } strategy && canary.CurrentStepIndex < strategy.Steps.Length
                && strategy.Steps[canary.CurrentStepIndex] is PauseStep { Duration: null });

    private SimulationResult Result(SimulationOutcome outcome, DateTimeOffset end)
    {
        var history = History.Of(_cluster.ReplicaSetStates(_now))
            .Select(h => new HistoryRow(h.Revision, h.ChangeCause, h.Image))
            .ToList();
        var conditions = _cluster.Rollout.Status.Conditions
            .Select(c => new ConditionRow(c.Type, c.Status.ToString(), c.Reason, c.Message))
            .ToList();
        return new SimulationResult(outcome, Seconds(end), _applies, _frames, history, conditions);
    }

    private static DateTimeOffset? Earliest(params DateTimeOffset?[] times) =>
        times.Where(t => t is not null).OrderBy(t => t).FirstOrDefault();

    private static double Seconds(DateTimeOffset at) => (at - Epoch).TotalSeconds;
}
