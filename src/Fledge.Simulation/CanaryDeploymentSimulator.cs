using System.Globalization;
using Fledge.Control;
using Fledge.Core.Kanarini;
using Fledge.Core.Manifests;
using Fledge.Core.Planning;
using Fledge.Core.Rollouts;

namespace Fledge.Simulation;

/// <summary>
/// Plays a Kanarini CanaryDeployment on a virtual clock: its planner drives two track Deployments, each a
/// simulated cluster driven by the rollout planner; the metrics check reads the values given per image
/// (`--metric NAME=VALUE@IMAGE`), and a metric without a value cannot be read, so the check never passes.
/// </summary>
public sealed class CanaryDeploymentSimulator : ICanaryDeploymentPlatform
{
    private static readonly DateTimeOffset Epoch = DateTimeOffset.UnixEpoch;

    private readonly CanaryDeploymentSimulationOptions _options;
    private readonly Queue<CanaryDeployment> _updates;
    private readonly Dictionary<TrackName, SimulatedCluster> _tracks = [];
    private readonly List<CanaryDeploymentFrame> _frames = [];
    private readonly List<AppliedTemplate> _applies = [];
    private readonly List<string> _events = [];
    private CanaryDeployment _cd;
    private DateTimeOffset _now = Epoch;
    private string _lastView = "";
    private bool _checkImpossible;

    private CanaryDeploymentSimulator(CanaryDeploymentSimulationOptions options)
    {
        _options = options;
        _cd = options.Initial with { Status = CanaryDeploymentStatus.Empty, Generation = 1 };
        _updates = new Queue<CanaryDeployment>(options.Updates);
        _applies.Add(new AppliedTemplate(0, _cd.Template.Image, _cd.Template.Hash));
    }

    public static CanaryDeploymentSimulationResult Run(CanaryDeploymentSimulationOptions options) => new CanaryDeploymentSimulator(options).Run();

    public CanaryDeploymentSnapshot ObserveCanaryDeployment(string name, DateTimeOffset now) =>
        new(_cd, Observe(TrackName.Canary), Observe(TrackName.Stable), now);

    public void ApplyCanaryDeployment(string name, PlanAction action, DateTimeOffset now)
    {
        switch (action)
        {
            case ApplyTrackDeployment apply:
                var (rollout, errors) = RolloutReader.FromResource(RolloutReader.FromDeployment(apply.Deployment), "apps/v1", "Deployment");
                if (rollout is null)
                {
                    throw new InvalidOperationException($"track Deployment {apply.Deployment.Metadata.Name} does not validate: {string.Join("; ", errors)}");
                }

                if (_tracks.TryGetValue(apply.Track, out var cluster))
                {
                    var current = cluster.Rollout;
                    var annotations = current.Annotations.TryGetValue(Annotations.Revision, out var revision)
                        ? rollout.Annotations.SetItem(Annotations.Revision, revision)
                        : rollout.Annotations;
                    cluster.Rollout = rollout with { Generation = current.Generation + 1, Status = current.Status, Annotations = annotations };
                }
                else
                {
                    _tracks[apply.Track] = new SimulatedCluster(new SimulationOptions(rollout, [])
                    {
                        ReadyAfter = _options.ReadyAfter,
                        TerminateAfter = _options.TerminateAfter,
                        NeverReadyImages = _options.NeverReadyImages,
                    });
                }

                break;
            case UpdateCanaryDeploymentStatus status:
                _cd = _cd with { Status = status.Status };
                break;
            case RecordEvent recorded:
                _events.Add($"{recorded.EventReason}: {recorded.Message}");
                break;
        }
    }

    private CanaryDeploymentSimulationResult Run()
    {
        while (true)
        {
            TakeCheck();
            TimeSpan? requeue = null;
            for (var round = 0; round < Reconciler.MaxPassesPerReconcile; round++)
            {
                var changed = false;
                var result = CanaryDeploymentReconciler.Reconcile(this, _cd.Name, _now);
                changed |= result.Changed;
                requeue = Earliest(requeue, result.RequeueAfter);
                foreach (var (_, cluster) in _tracks)
                {
                    var track = Reconciler.Reconcile(cluster, cluster.Rollout.Name, _now);
                    changed |= track.Changed;
                    requeue = Earliest(requeue, track.RequeueAfter);
                    _events.AddRange(cluster.TakeEvents().Select(e => $"{cluster.Rollout.Name}: {e}"));
                }

                if (!changed)
                {
                    break;
                }
            }

            Record();
            if (_checkImpossible)
            {
                return Result("Stalled");
            }

            if (Outcome() is { } outcome)
            {
                if (_updates.Count > 0)
                {
                    var next = _updates.Dequeue();
                    var specChanged = next.Template.Key != _cd.Template.Key || next.Canary != _cd.Canary || next.Stable != _cd.Stable;
                    _cd = next with { Status = _cd.Status, Generation = _cd.Generation + (specChanged ? 1 : 0) };
                    _applies.Add(new AppliedTemplate((_now - Epoch).TotalSeconds, _cd.Template.Image, _cd.Template.Hash));
                    _events.Add($"applied {_cd.Template.Image}");
                    continue;
                }

                return Result(outcome);
            }

            var due = _cd.CheckDueAt;
            var nextAt = _tracks.Values.Select(c => c.NextChange(_now)).Append(requeue is { } r ? _now + r : null).Append(due > _now ? due : null)
                .Where(t => t is not null).Min();
            if (nextAt is null || nextAt.Value - Epoch > _options.MaxDuration)
            {
                return Result("Stalled");
            }

            _now = nextAt.Value;
        }
    }

    /// <summary>The metrics check, when due: each metric's value for the canary's image, or nothing when one has no value.</summary>
    private void TakeCheck()
    {
        if (MetricsCheck.Due(_cd, Observe(TrackName.Canary), _now) is not { } due)
        {
            return;
        }

        var image = _tracks[TrackName.Canary].Rollout.Spec.Template.Image;
        var values = new List<MetricValue>();
        foreach (var metric in due.Metrics)
        {
            if (!_options.MetricValues.TryGetValue((metric.MetricName, image), out var value))
            {
                // Nothing will ever give it a value, so the check can never be taken: the simulation ends Stalled here.
                _events.Add($"{KanariniReasons.FailedGetMetric}: no simulated value for {metric.Display} on {image}; add --metric {metric.MetricName}=VALUE@{image}");
                _checkImpossible = true;
                return;
            }

            values.Add(new MetricValue(metric.Display, value, metric.Target));
        }

        if (MetricsCheck.Record(_cd, due, values, _now) is var (status, events))
        {
            _cd = _cd with { Status = status };
            _events.AddRange(events.Select(e => $"{e.EventReason}: {e.Message}"));
        }
    }

    private TrackObservation? Observe(TrackName track) => _tracks.TryGetValue(track, out var cluster) ? TrackObservation.Of(cluster.Rollout, owned: true) : null;

    /// <summary>Ready or Failed once the CanaryDeployment says so for its current generation and its tracks have rolled out.</summary>
    private string? Outcome()
    {
        if (_cd.Status.ObservedGeneration != _cd.Generation || _tracks.Values.Any(c => !TrackObservation.Of(c.Rollout, owned: true).Ready))
        {
            return null;
        }

        return _cd.Phase is CanaryDeploymentPhases.Failed or CanaryDeploymentPhases.Ready ? _cd.Phase : null;
    }

    private void Record()
    {
        var tracks = new[] { TrackName.Canary, TrackName.Stable }
            .Where(_tracks.ContainsKey)
            .Select(t =>
            {
                var rollout = _tracks[t].Rollout;
                return new TrackFrame(t.ToString().ToLowerInvariant(), rollout.Name, rollout.Spec.Template.Image, rollout.Spec.Replicas,
                    rollout.Status.ReadyReplicas, rollout.Status.AvailableReplicas);
            })
            .ToList();
        var available = _tracks.Values
            .SelectMany(c => c.ReplicaSetStates(_now))
            .GroupBy(rs => rs.Template.Image, StringComparer.Ordinal)
            .Select(g => (Image: g.Key, Available: g.Sum(rs => rs.AvailableReplicas)))
            .Where(g => g.Available > 0)
            .ToList();
        var total = available.Sum(a => a.Available);
        var traffic = available.ToDictionary(a => a.Image, a => (int)Math.Round(100.0 * a.Available / total), StringComparer.Ordinal);
        var phase = Phase();
        var view = string.Join(";", tracks) + string.Join(",", traffic.OrderBy(t => t.Key, StringComparer.Ordinal)) + phase;
        if (view == _lastView && _events.Count == 0)
        {
            return;
        }

        _lastView = view;
        _frames.Add(new CanaryDeploymentFrame((_now - Epoch).TotalSeconds, tracks, traffic, phase, _events.ToList()));
        _events.Clear();
    }

    /// <summary>The phase, with the reason of a failure and the virtual time a pending check is due.</summary>
    private string Phase() => _cd.Phase switch
    {
        CanaryDeploymentPhases.Failed => $"Failed: {_cd.Status.Condition(KanariniReasons.Failure)!.Reason}",
        CanaryDeploymentPhases.Checking => string.Create(CultureInfo.InvariantCulture, $"Checking (due at {(_cd.CheckDueAt!.Value - Epoch).TotalSeconds:0.#}s)"),
        var phase => phase,
    };

    private CanaryDeploymentSimulationResult Result(string outcome) => new(
        outcome,
        (_now - Epoch).TotalSeconds,
        _applies,
        _frames,
        (_cd.Status.Conditions.IsDefault ? [] : _cd.Status.Conditions).Select(c => new ConditionRow(c.Type, c.Status.ToString(), c.Reason, c.Message)).ToList());

    private static TimeSpan? Earliest(TimeSpan? a, TimeSpan? b) => a is null ? b : b is null ? a : a < b ? a : b;
}
