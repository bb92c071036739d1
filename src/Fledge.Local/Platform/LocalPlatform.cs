using System.Collections.Immutable;
using System.Globalization;
using Fledge.Control;
using Fledge.Core.Kanarini;
using Fledge.Core.Manifests;
using Fledge.Core.Planning;
using Fledge.Core.Rollouts;
using Fledge.Local.Replicas;
using Fledge.Local.Store;

namespace Fledge.Local.Platform;

/// <summary>
/// The single-host platform: rollouts and replica sets live in the store (written first), replicas are
/// processes run by the <see cref="Supervisor"/>. Callers hold <see cref="Gate"/> around every use, so the
/// controller and the control API never interleave their changes.
/// </summary>
internal sealed class LocalPlatform : IRolloutPlatform, ICanaryDeploymentPlatform
{
    private readonly StateStore _store;
    private readonly Supervisor _supervisor;
    private readonly Dictionary<string, RolloutRecord> _rollouts = new(StringComparer.Ordinal);
    private readonly Dictionary<string, CanaryDeploymentRecord> _canaryDeployments = new(StringComparer.Ordinal);
    private readonly Dictionary<string, Dictionary<string, ReplicaSetState>> _replicaSets = new(StringComparer.Ordinal);
    private ImmutableDictionary<string, Core.Analysis.AnalysisTemplate> _templates = ImmutableDictionary<string, Core.Analysis.AnalysisTemplate>.Empty;
    private List<Action>? _deferred;

    public LocalPlatform(StateStore store, Supervisor supervisor)
    {
        _store = store;
        _supervisor = supervisor;
        Load();
    }

    /// <summary>Reads rollouts, their replica sets, CanaryDeployments and AnalysisTemplates from the store.</summary>
    private void Load()
    {
        _rollouts.Clear();
        _replicaSets.Clear();
        _canaryDeployments.Clear();
        foreach (var (name, body, createdAt) in _store.Objects(StoredKinds.Rollout))
        {
            _rollouts[name] = RolloutRecord.FromJson(body, createdAt);
            _replicaSets[name] = _store.ReplicaSets(name).Select(rs => rs.ToState()).ToDictionary(rs => rs.Name, StringComparer.Ordinal);
        }

        foreach (var (name, body, createdAt) in _store.Objects(StoredKinds.CanaryDeployment))
        {
            _canaryDeployments[name] = CanaryDeploymentRecord.FromJson(body, createdAt);
        }

        _templates = ImmutableDictionary<string, Core.Analysis.AnalysisTemplate>.Empty;
        foreach (var (name, body, _) in _store.Objects(StoredKinds.AnalysisTemplate))
        {
            _templates = _templates.SetItem(name, System.Text.Json.JsonSerializer.Deserialize<Core.Analysis.AnalysisTemplate>(body, StoreJson.Options)!);
        }
    }

    /// <summary>
    /// Makes the changes <paramref name="change"/> makes (under the gate) all or not at all: their writes are one
    /// transaction, and what they set in motion (replicas stopped, routes changed) happens once it is stored. When a
    /// write fails, the platform is read back from the store as it was, and the failure is thrown.
    /// </summary>
    public T Atomically<T>(Func<T> change)
    {
        var result = default(T)!;
        _deferred = [];
        try
        {
            _store.InTransaction(() => result = change());
        }
        catch
        {
            _deferred = null;
            Load();
            throw;
        }

        var deferred = _deferred;
        _deferred = null;
        foreach (var act in deferred)
        {
            act();
        }

        return result;
    }

    /// <summary>Acts at once, or once the change under way is stored (see <see cref="Atomically"/>).</summary>
    private void Act(Action act)
    {
        if (_deferred is { } deferred)
        {
            deferred.Add(act);
        }
        else
        {
            act();
        }
    }

    /// <summary>The AnalysisTemplates applied to the runtime.</summary>
    public ImmutableDictionary<string, Core.Analysis.AnalysisTemplate> Templates => _templates;

    /// <summary>Stores an AnalysisTemplate; "created", "configured" or "unchanged".</summary>
    public string PutTemplate(Core.Analysis.AnalysisTemplate template, DateTimeOffset now)
    {
        var existing = _templates.GetValueOrDefault(template.Name);
        var body = System.Text.Json.JsonSerializer.Serialize(template, StoreJson.Options);
        if (existing is not null && System.Text.Json.JsonSerializer.Serialize(existing, StoreJson.Options) == body)
        {
            return "unchanged";
        }

        _store.PutObject(StoredKinds.AnalysisTemplate, template.Name, body, now);
        _templates = _templates.SetItem(template.Name, template);
        return existing is null ? "created" : "configured";
    }

    public bool DeleteTemplate(string name)
    {
        if (!_templates.ContainsKey(name))
        {
            return false;
        }

        _store.DeleteObject(StoredKinds.AnalysisTemplate, name);
        _templates = _templates.Remove(name);
        return true;
    }

    /// <summary>Raised (under the gate) when a canary's routes may have changed: after its status is written.</summary>
    public event Action<IReadOnlyList<Services.CanaryRoute>>? RoutesChanged;

    /// <summary>Tells the rollouts' event and post-rollout webhooks of their events (after each is stored).</summary>
    public Fledge.Metrics.Web.WebhookNotifier? Notifier { get; init; }

    /// <summary>Held around every read and change of rollouts and replica sets.</summary>
    public SemaphoreSlim Gate { get; } = new(1, 1);

    public IReadOnlyCollection<RolloutRecord> Rollouts => _rollouts.Values;

    public RolloutRecord? Find(string name) => _rollouts.GetValueOrDefault(name);

    public IReadOnlyCollection<ReplicaSetState> ReplicaSetsOf(string rollout) =>
        _replicaSets.TryGetValue(rollout, out var sets) ? sets.Values : [];

    /// <summary>Where each canary rollout's Services send requests, from the rollouts' status.</summary>
    public IReadOnlyList<Services.CanaryRoute> Routes() =>
        _rollouts.Values
            .Where(r => r.Rollout.Spec.Strategy.Canary is not null || r.Rollout.Spec.Strategy.BlueGreen is not null)
            .Select(r =>
            {
                var status = r.Status.Canary;
                // Blue-green is a canary route that never splits: the active Service reaches the active revision only
                // (never the preview, not even when no active replica is ready), the preview Service the preview.
                return r.Rollout.Spec.Strategy.BlueGreen is { } blueGreen
                    ? new Services.CanaryRoute(r.Name, blueGreen.ActiveService, blueGreen.PreviewService, status?.StableReplicaSet,
                        status?.CanaryReplicaSet, 0, TrafficRouted: false)
                    : new Services.CanaryRoute(r.Name, r.Rollout.Spec.Strategy.Canary!.StableService, r.Rollout.Spec.Strategy.Canary.CanaryService,
                        status?.StableReplicaSet, status?.CanaryReplicaSet, status?.Weight ?? 0, r.Rollout.Spec.Strategy.Canary.TrafficRouted)
                    {
                        Routes = CanaryRoutes.Active(r.Rollout.Spec.Strategy.Canary, status),
                    };
            })
            .ToList();

    public IReadOnlyCollection<CanaryDeploymentRecord> CanaryDeployments => _canaryDeployments.Values;

    public CanaryDeploymentRecord? FindCanaryDeployment(string name) => _canaryDeployments.GetValueOrDefault(name);

    /// <summary>Raised (under the gate) when a CanaryDeployment changed a track Deployment, which then needs reconciling.</summary>
    public event Action<string>? TrackChanged;

    /// <summary>Stores a new or changed CanaryDeployment.</summary>
    public void Put(CanaryDeploymentRecord record, DateTimeOffset now)
    {
        _store.PutObject(StoredKinds.CanaryDeployment, record.Name, record.ToJson(), now);
        _canaryDeployments[record.Name] = record;
    }

    /// <summary>Deletes a CanaryDeployment and the track Deployments it owns.</summary>
    public void DeleteCanaryDeployment(string name)
    {
        foreach (var track in _rollouts.Values.Where(r => OwnerOf(r) == name).Select(r => r.Name).ToList())
        {
            Delete(track);
        }

        _store.DeleteObject(StoredKinds.CanaryDeployment, name);
        _canaryDeployments.Remove(name);
    }

    /// <summary>The CanaryDeployment that owns a rollout (a track Deployment), or null.</summary>
    public static string? OwnerOf(RolloutRecord record) =>
        record.Manifest.Metadata?.OwnerReferences?.FirstOrDefault(o => o.Kind == CanaryDeployment.KindName && o.Controller == true)?.Name;

    public CanaryDeploymentSnapshot ObserveCanaryDeployment(string name, DateTimeOffset now)
    {
        var cd = _canaryDeployments[name].Deployment;
        return new CanaryDeploymentSnapshot(cd, ObserveTrack(cd, TrackName.Canary), ObserveTrack(cd, TrackName.Stable), now);
    }

    /// <summary>A track's Deployment: which template it runs, and whether it has rolled out (every replica updated and available).</summary>
    public TrackObservation? ObserveTrack(CanaryDeployment cd, TrackName track) =>
        Find(cd.DeploymentName(track)) is { } record ? TrackObservation.Of(record.Rollout, OwnerOf(record) == cd.Name) : null;

    public void ApplyCanaryDeployment(string name, PlanAction action, DateTimeOffset now)
    {
        var record = _canaryDeployments[name];
        switch (action)
        {
            case ApplyTrackDeployment apply:
                var resource = Core.Manifests.RolloutReader.FromDeployment(apply.Deployment);
                var trackName = apply.Deployment.Metadata.Name;
                if (Find(trackName) is { } existing)
                {
                    if (existing.Manifest.Metadata?.Annotations?.TryGetValue(Annotations.Revision, out var revision) == true)
                    {
                        resource.Metadata!.Annotations![Annotations.Revision] = revision;
                    }

                    existing.Replace(resource);
                    Put(existing, now);
                }
                else
                {
                    resource.Metadata!.Generation = 1;
                    Put(new RolloutRecord("apps/v1", "Deployment", resource, RolloutStatus.Empty, now), now);
                }

                TrackChanged?.Invoke(trackName);
                break;
            case UpdateCanaryDeploymentStatus status:
                record.SetStatus(status.Status);
                Put(record, now);
                break;
            case RecordEvent recorded:
                _store.AddEvent($"{CanaryDeployment.KindName}/{name}", now, recorded.Type, recorded.EventReason, recorded.Message);
                break;
        }
    }

    /// <summary>What a replica set runs and how many replicas it wants; null when there is no such replica set.</summary>
    public (ReplicaTemplate Template, int Replicas)? ReplicaSet(string name)
    {
        foreach (var (rollout, sets) in _replicaSets)
        {
            if (sets.TryGetValue(name, out var rs))
            {
                return (Template(rollout, rs), rs.Replicas);
            }
        }

        return null;
    }

    /// <summary>Starts the replicas the store says should run (after a restart of the runtime).</summary>
    public void Resume()
    {
        foreach (var (rollout, sets) in _replicaSets)
        {
            foreach (var rs in sets.Values.Where(rs => rs.Replicas > 0))
            {
                _supervisor.Scale(Template(rollout, rs), rs.Replicas);
            }
        }
    }

    /// <summary>Stores a new or changed rollout.</summary>
    public void Put(RolloutRecord record, DateTimeOffset now)
    {
        _store.PutObject(StoredKinds.Rollout, record.Name, record.ToJson(), now);
        _rollouts[record.Name] = record;
        _replicaSets.TryAdd(record.Name, new Dictionary<string, ReplicaSetState>(StringComparer.Ordinal));
        Act(() => RoutesChanged?.Invoke(Routes()));
    }

    /// <summary>
    /// workloadRef's scaleDown: the Deployment a rollout takes its template from is scaled to 0 once the rollout is healthy
    /// (onsuccess) or down as the rollout's replicas become available (progressively), with an event on the rollout.
    /// Returns the Deployment's name when it was scaled.
    /// </summary>
    public string? ScaleDownWorkload(string rolloutName, DateTimeOffset now)
    {
        if (Find(rolloutName) is not { Rollout.Spec.Workload: { } workload } record || workload.Deployment == rolloutName
            || Find(workload.Deployment) is not { Kind: "Deployment" } deployment)
        {
            return null;
        }

        var rollout = record.Rollout;
        var current = deployment.Rollout.Spec.Replicas;
        if (WorkloadRefs.DeploymentReplicas(workload.ScaleDown, current, rollout.Spec.Replicas, rollout.Status.AvailableReplicas, WorkloadRefs.Healthy(rollout)) is not { } to)
        {
            return null;
        }

        var manifest = deployment.CopyManifest();
        manifest.Spec!.Replicas = to;
        deployment.Replace(manifest);
        Put(deployment, now);
        _store.AddEvent($"{record.Kind}/{rolloutName}", now, RecordEvent.Normal, "ScalingDeployment", WorkloadRefs.ScaledDown(workload, current, to));
        return workload.Deployment;
    }

    /// <summary>
    /// Argo's restartAt: once the time has come, the rollout's replicas created before it are replaced one at a time, each
    /// only while every other replica is ready (as Argo evicts within maxUnavailable), oldest first; when none is left,
    /// status.restartedAt records it and the same restartAt is done. Returns when to look again (the time to come).
    /// </summary>
    public TimeSpan? RestartReplicas(string rolloutName, DateTimeOffset now)
    {
        if (Find(rolloutName) is not { Rollout.Spec.RestartAt: { } restartAt } record || record.Status.RestartedAt == restartAt)
        {
            return null;
        }

        if (restartAt > now)
        {
            return restartAt - now;
        }

        var all = ReplicaSetsOf(rolloutName).Where(rs => !rs.CopiedAnnotations.ContainsKey(Annotations.Experiment))
            .SelectMany(rs => _supervisor.Replicas(rs.Name)).ToList();
        // Done once no replica from before is left, the stopping ones included; the next is replaced only while the others serve.
        var replicas = all.Where(r => r.Phase != Replicas.ReplicaPhase.Terminating).ToList();
        var old = replicas.Where(r => r.CreatedAt < restartAt).OrderBy(r => r.CreatedAt).ToList();
        if (all.All(r => r.CreatedAt >= restartAt))
        {
            record.SetStatus(record.Status with { RestartedAt = restartAt });
            Put(record, now);
            _store.AddEvent($"{record.Kind}/{rolloutName}", now, RecordEvent.Normal, RestartAt.RestartedReason, RestartAt.Restarted(restartAt));
            return null;
        }

        if (old.Count > 0 && replicas.All(r => r.Ready) && _supervisor.Restart(old[0].ReplicaSet, old[0].Name))
        {
            _store.AddEvent($"{record.Kind}/{rolloutName}", now, RecordEvent.Normal, RestartAt.RestartingReason, RestartAt.Restarting(old[0].Name, restartAt, old.Count - 1));
        }

        return TimeSpan.FromSeconds(1);
    }

    /// <summary>Deletes a rollout with its replica sets; their replicas stop gracefully.</summary>
    public void Delete(string name)
    {
        foreach (var rs in ReplicaSetsOf(name).ToList())
        {
            _store.DeleteReplicaSet(rs.Name);
            Act(() => _supervisor.Remove(rs.Name));
        }

        _store.DeleteObject(StoredKinds.Rollout, name);
        _rollouts.Remove(name);
        _replicaSets.Remove(name);
        Act(() => RoutesChanged?.Invoke(Routes()));
    }

    public RolloutSnapshot Observe(string rolloutName, DateTimeOffset now)
    {
        var record = _rollouts[rolloutName];
        var minReady = record.Rollout.Spec.MinReadySeconds;
        var sets = ReplicaSetsOf(rolloutName)
            .Select(rs => WithObserved(rs, _supervisor.Replicas(rs.Name), now, minReady))
            .ToImmutableArray();
        return new RolloutSnapshot(record.Rollout, sets, now) { Templates = _templates };
    }

    public void Apply(string rolloutName, PlanAction action, DateTimeOffset now)
    {
        var record = _rollouts[rolloutName];
        var sets = _replicaSets[rolloutName];
        switch (action)
        {
            case CreateReplicaSet create:
                Save(rolloutName, sets, create.ReplicaSet);
                _supervisor.Scale(Template(rolloutName, create.ReplicaSet), create.ReplicaSet.Replicas);
                break;
            case ScaleReplicaSet scale:
                var scaled = scale.ApplyTo(sets[scale.Name]);
                Save(rolloutName, sets, scaled);
                _supervisor.Scale(Template(rolloutName, scaled), scale.To);
                break;
            case AnnotateReplicaSet annotate:
                Save(rolloutName, sets, annotate.ApplyTo(sets[annotate.Name]));
                break;
            case DeleteReplicaSet delete:
                _store.DeleteReplicaSet(delete.Name);
                sets.Remove(delete.Name);
                _supervisor.Remove(delete.Name);
                break;
            case SetRolloutRevision revision:
                record.SetAnnotation(Annotations.Revision, revision.Revision.ToString(CultureInfo.InvariantCulture));
                _store.PutObject(StoredKinds.Rollout, rolloutName, record.ToJson(), now);
                break;
            case UpdateRolloutStatus status:
                record.SetStatus(status.Status);
                _store.PutObject(StoredKinds.Rollout, rolloutName, record.ToJson(), now);
                if (status.Status.Canary is not null)
                {
                    // Weights take effect once the status that records them is stored.
                    RoutesChanged?.Invoke(Routes());
                }

                break;
            case RecordEvent recorded:
                _store.AddEvent($"{record.Kind}/{rolloutName}", now, recorded.Type, recorded.EventReason, recorded.Message);
                Notifier?.Notify(record.Rollout, recorded.Type, recorded.EventReason, recorded.Message);
                break;
        }
    }

    private void Save(string rollout, Dictionary<string, ReplicaSetState> sets, ReplicaSetState rs)
    {
        _store.PutReplicaSet(rollout, StoredReplicaSet.From(rs));
        sets[rs.Name] = rs;
    }

    private static ReplicaTemplate Template(string rollout, ReplicaSetState rs) => new(rollout, rs.Name, rs.Revision, rs.Template.Spec);

    /// <summary>The replica set's observed counts from its replicas: terminating ones count apart, as Kubernetes counts them.</summary>
    private static ReplicaSetState WithObserved(ReplicaSetState rs, IReadOnlyList<ReplicaView> replicas, DateTimeOffset now, int minReadySeconds)
    {
        int running = 0, ready = 0, available = 0, terminating = 0;
        foreach (var replica in replicas)
        {
            if (replica.Phase == ReplicaPhase.Terminating)
            {
                terminating++;
                continue;
            }

            running++;
            ready += replica.Ready ? 1 : 0;
            available += replica.IsAvailable(now, minReadySeconds) ? 1 : 0;
        }

        return rs with { ObservedReplicas = running, ReadyReplicas = ready, AvailableReplicas = available, TerminatingReplicas = terminating };
    }
}

/// <summary>The kinds under which objects are stored.</summary>
internal static class StoredKinds
{
    public const string Rollout = "Rollout";
    public const string Service = "Service";
    public const string AnalysisTemplate = "AnalysisTemplate";
    public const string CanaryDeployment = "CanaryDeployment";
}
