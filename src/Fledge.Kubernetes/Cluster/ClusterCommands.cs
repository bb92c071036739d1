using System.Collections.Immutable;
using System.Globalization;
using System.Net;
using System.Text.Json.Nodes;
using Fledge.Core.Manifests;
using Fledge.Core.Planning;
using Fledge.Core.Rollouts;
using Fledge.Local.Api;
using Fledge.Local.Replicas;
using Fledge.Local.Store;
using k8s;
using k8s.Autorest;
using k8s.Models;

namespace Fledge.Kubernetes.Cluster;

/// <summary>
/// What the `fledge` commands ask of a runtime, answered from a Kubernetes cluster in one namespace: the same
/// summaries, tables and verbs, read from and written to the API server. Verbs change the Rollout (its spec, or the
/// canary's requests in its status) with the resourceVersion read, and the operator acts on the change; a conflict is
/// read again and tried again, never written over.
/// </summary>
public sealed partial class ClusterCommands(IKubernetes client, string ns, TimeProvider time)
{
    private const int Attempts = 5;

    public string Namespace => ns;

    public async Task<RolloutList> RolloutsAsync()
    {
        var (rollouts, sets, templates) = (await ListRolloutsAsync(), await ListReplicaSetsAsync(), await TemplatesAsync());
        var replicas = Replicas(await ListPodsAsync(), sets);
        var now = time.GetUtcNow();
        return new RolloutList(rollouts.OrderBy(r => r.Metadata.Name, StringComparer.Ordinal)
            .Select(r =>
            {
                try
                {
                    return Summary(r, Snapshot(r, sets, now), replicas, templates, now);
                }
                catch (CommandException)
                {
                    // A rollout that does not validate is listed by the operator's Events, not here.
                    return null;
                }
            })
            .OfType<RolloutSummary>().ToList());
    }

    public async Task<RolloutDetail> DescribeAsync(string name)
    {
        var obj = await RolloutAsync(name);
        var (sets, templates) = (await ListReplicaSetsAsync(), await TemplatesAsync());
        var replicas = Replicas(await ListPodsAsync(), sets);
        var now = time.GetUtcNow();
        var snapshot = Snapshot(obj, sets, now);
        var events = await EventsAsync(obj.Kind, name);
        return RolloutViews.Detail(Summary(obj, snapshot, replicas, templates, now), snapshot.Rollout.Spec, RolloutViews.ReplicaSets(name, snapshot.ReplicaSets),
            replicas, events.TakeLast(20).Select(e => new EventSummary(e.At, e.Type, e.Reason, e.Message)));
    }

    public async Task<HistoryList> HistoryAsync(string name, long? revision)
    {
        var snapshot = Snapshot(await RolloutAsync(name), await ListReplicaSetsAsync(), time.GetUtcNow());
        return RolloutViews.History(name, snapshot.ReplicaSets, revision, "kubectl fledge");
    }

    public async Task<ReplicaSetList> ReplicaSetListAsync()
    {
        var sets = await ListReplicaSetsAsync();
        var now = time.GetUtcNow();
        var owned = (await ListRolloutsAsync()).SelectMany(r => Snapshot(r, sets, now) is { } s ? RolloutViews.ReplicaSets(r.Metadata.Name, s.ReplicaSets) : []).ToList();
        var others = sets.Where(rs => owned.All(o => o.Name != rs.Metadata.Name)).Select(rs =>
        {
            var state = ReplicaSetReader.Read(rs);
            var owner = rs.Metadata.OwnerReferences?.FirstOrDefault(o => o.Controller == true)?.Name ?? "-";
            return new ReplicaSetSummary(state.Name, owner, state.Revision, state.Template.Image, state.Replicas, state.ObservedReplicas,
                state.ReadyReplicas, state.AvailableReplicas, state.CreatedAt);
        });
        return new ReplicaSetList([.. owned, .. others]);
    }

    public Task<MessageResponse> PauseAsync(string name, bool paused) => ChangeAsync(name, (obj, rollout) =>
    {
        if (rollout.Spec.Paused == paused)
        {
            return paused ? $"rollout \"{name}\" is already paused" : $"rollout \"{name}\" is not paused";
        }

        obj.Spec!["paused"] = paused;
        return null;
    }, paused ? $"rollout \"{name}\" paused" : $"rollout \"{name}\" resumed");

    public Task<MessageResponse> ScaleAsync(string name, int replicas) => replicas < 0
        ? throw new CommandException(400, $"--replicas: Invalid value: {replicas}: must be greater than or equal to 0")
        : ChangeAsync(name, (obj, _) =>
        {
            obj.Spec!["replicas"] = replicas;
            return null;
        }, $"rollout \"{name}\" scaled to {replicas}");

    public Task<MessageResponse> RestartAsync(string name) => ChangeAsync(name, (obj, rollout) =>
    {
        if (rollout.Spec.Paused)
        {
            throw new CommandException(409, $"can't restart paused rollout \"{name}\" (run 'kubectl fledge rollout resume {name}' first)");
        }

        var metadata = Child(Child(obj.Spec!, "template"), "metadata");
        Child(metadata, "annotations")["kubectl.kubernetes.io/restartedAt"] = time.GetUtcNow().ToString("yyyy-MM-ddTHH:mm:ssK", CultureInfo.InvariantCulture);
        return null;
    }, $"rollout \"{name}\" restarted");

    public Task<MessageResponse> SetImageAsync(string name, ImageRequest request) => ChangeAsync(name, (obj, _) =>
    {
        if (string.IsNullOrWhiteSpace(request.Image))
        {
            throw new CommandException(400, "the image must not be empty: write CONTAINER=IMAGE");
        }

        var containers = obj.Spec?["template"]?["spec"]?["containers"]?.AsArray() ?? [];
        var container = containers.OfType<JsonObject>().FirstOrDefault(c => c["name"]?.GetValue<string>() == request.Container)
            ?? throw new CommandException(400, $"unable to find container named \"{request.Container}\"; the containers of \"{name}\" are " +
                string.Join(", ", containers.Select(c => c?["name"]?.GetValue<string>())));
        container["image"] = request.Image;
        return null;
    }, $"rollout \"{name}\" image updated");

    /// <summary>Puts an earlier revision's template (as its ReplicaSet holds it) back in the rollout, as `kubectl rollout undo` does.</summary>
    public async Task<MessageResponse> UndoAsync(string name, long toRevision)
    {
        var sets = await ListReplicaSetsAsync();
        var message = "";
        return await ChangeAsync(name, (obj, _) =>
        {
            var snapshot = Snapshot(obj, sets, time.GetUtcNow());
            var result = Rollback.Undo(snapshot.Rollout, snapshot.ReplicaSets, toRevision);
            if (result.Failed)
            {
                throw new CommandException(409, result.Message);
            }

            if (result.Rollout is not { } rolledBack)
            {
                return $"rollout \"{name}\" {result.Message}";
            }

            obj.Spec!["template"] = JsonNode.Parse(KubernetesJson.Serialize(rolledBack.Spec.Template.Spec));
            // The rollout keeps the annotations that are never copied (last-applied-configuration...), and takes the revision's others.
            var annotations = (obj.Metadata.Annotations ?? new Dictionary<string, string>()).Where(a => Annotations.IsSkippedOnCopy(a.Key))
                .ToDictionary(a => a.Key, a => a.Value);
            foreach (var (key, value) in rolledBack.Annotations)
            {
                annotations[key] = value;
            }

            obj.Metadata.Annotations = annotations;
            message = $"rollout \"{name}\" rolled back";
            return null;
        }, () => message);
    }

    /// <summary>promote [--full], abort, retry: written to the canary's status (with the resourceVersion read) for the operator's next pass.</summary>
    public async Task<MessageResponse> CanaryAsync(string name, CanaryRequest request)
    {
        for (var attempt = 1; ; attempt++)
        {
            var obj = await RolloutAsync(name);
            var rollout = Read(obj);
            var (status, text) = CanaryRequests.Apply(rollout, request, time.GetUtcNow());
            if (status is null)
            {
                throw new CommandException(409, text);
            }

            obj.Status = StatusJson.ToNode(rollout.Status with { Canary = status }, rollout);
            try
            {
                await client.CustomObjects.ReplaceNamespacedCustomObjectStatusAsync(obj, Group(obj), RolloutCrd.Version, ns, RolloutCrd.Plural, name);
                return new MessageResponse(text);
            }
            catch (HttpOperationException e) when (e.Response?.StatusCode == HttpStatusCode.Conflict && attempt < Attempts)
            {
                // The operator wrote the status in between: read it again.
            }
        }
    }

    /// <summary>
    /// Reads the rollout, lets <paramref name="change"/> edit its spec or metadata (or answer without a change, with the
    /// message it returns), and replaces it with the resourceVersion read; a conflict is read again and tried again.
    /// </summary>
    private Task<MessageResponse> ChangeAsync(string name, Func<RolloutObject, Rollout, string?> change, string changed) =>
        ChangeAsync(name, change, () => changed);

    private async Task<MessageResponse> ChangeAsync(string name, Func<RolloutObject, Rollout, string?> change, Func<string> changed)
    {
        for (var attempt = 1; ; attempt++)
        {
            var obj = await RolloutAsync(name);
            if (change(obj, Read(obj)) is { } unchanged)
            {
                return new MessageResponse(unchanged);
            }

            try
            {
                await client.CustomObjects.ReplaceNamespacedCustomObjectAsync(obj, Group(obj), RolloutCrd.Version, ns, RolloutCrd.Plural, name);
                return new MessageResponse(changed());
            }
            catch (HttpOperationException e) when (e.Response?.StatusCode == HttpStatusCode.Conflict && attempt < Attempts)
            {
                // Changed in between (the operator's revision annotation, someone else): read it again.
            }
            catch (HttpOperationException e) when (e.Response?.StatusCode == HttpStatusCode.UnprocessableEntity)
            {
                throw new CommandException(400, ApiError(e));
            }
        }
    }

    private static RolloutSummary Summary(RolloutObject obj, RolloutSnapshot snapshot, IReadOnlyList<ReplicaView> replicas,
        ImmutableDictionary<string, Core.Analysis.AnalysisTemplate> templates, DateTimeOffset now) =>
        RolloutViews.Summary(obj.Metadata.Name, obj.Kind, snapshot.Rollout, obj.Metadata.CreationTimestamp is { } created ? new DateTimeOffset(created, TimeSpan.Zero) : now,
            snapshot.ReplicaSets, templates, RolloutViews.Problems(obj.Metadata.Name, replicas), now);

    private static RolloutSnapshot Snapshot(RolloutObject obj, IEnumerable<V1ReplicaSet> sets, DateTimeOffset now)
    {
        try
        {
            return KubernetesPlatform.Snapshot(obj, sets, now);
        }
        catch (InvalidRolloutException e)
        {
            throw new CommandException(409, $"rollout \"{obj.Metadata.Name}\" does not validate: {e.Message}");
        }
    }

    private static Rollout Read(RolloutObject obj)
    {
        try
        {
            return KubernetesPlatform.ToRollout(obj);
        }
        catch (InvalidRolloutException e)
        {
            throw new CommandException(409, $"rollout \"{obj.Metadata.Name}\" does not validate: {e.Message}");
        }
    }

    /// <summary>The pods of the namespace as the runtime's replicas: which rollout and revision, phase, readiness and why not.</summary>
    private static List<ReplicaView> Replicas(IReadOnlyList<V1Pod> pods, IReadOnlyList<V1ReplicaSet> sets)
    {
        var byName = sets.ToDictionary(s => s.Metadata.Name, StringComparer.Ordinal);
        return [.. pods.Select(pod => Replica(pod, byName))];
    }

    private static ReplicaView Replica(V1Pod pod, Dictionary<string, V1ReplicaSet> sets)
    {
        var rsName = pod.Metadata.OwnerReferences?.FirstOrDefault(o => o.Controller == true && o.Kind == "ReplicaSet")?.Name ?? "";
        var rs = sets.GetValueOrDefault(rsName);
        var rollout = rs?.Metadata.OwnerReferences?.FirstOrDefault(o => o.Controller == true)?.Name ?? "";
        var ready = pod.Status?.Conditions?.FirstOrDefault(c => c.Type == "Ready");
        var container = pod.Status?.ContainerStatuses?.FirstOrDefault();
        var phase = pod.Metadata.DeletionTimestamp is not null ? ReplicaPhase.Terminating
            : container?.State?.Waiting?.Reason is "CrashLoopBackOff" ? ReplicaPhase.CrashLoopBackOff
            : container?.State?.Waiting?.Reason is "ErrImagePull" or "ImagePullBackOff" or "CreateContainerError" or "InvalidImageName" ? ReplicaPhase.Failed
            : pod.Status?.Phase == "Running" ? ReplicaPhase.Running
            : pod.Status?.Phase == "Failed" ? ReplicaPhase.Failed
            : ReplicaPhase.Pending;
        var message = container?.State?.Waiting is { } waiting ? $"{waiting.Reason}{(waiting.Message is { Length: > 0 } m ? ": " + m : "")}"
            : ready is { Status: not "True", Message: { Length: > 0 } why } ? why
            : null;
        var revision = rs?.Metadata.Annotations?.TryGetValue(Annotations.Revision, out var text) == true
            && long.TryParse(text, CultureInfo.InvariantCulture, out var number) ? number : 0;
        return new ReplicaView(pod.Metadata.Name, rollout, rsName, revision, pod.Spec?.Containers?.FirstOrDefault()?.Image ?? "",
            pod.Metadata.Labels?.ToDictionary(l => l.Key, l => l.Value) ?? new Dictionary<string, string>(), 0, phase, ready?.Status == "True",
            ready?.Status == "True" && ready.LastTransitionTime is { } since ? new DateTimeOffset(since, TimeSpan.Zero) : null,
            container?.RestartCount ?? 0, message, Created(pod.Metadata), null);
    }

    /// <summary>The rollout of that name: fledge.io's, else argoproj.io's (as the operator picks them).</summary>
    private async Task<RolloutObject> RolloutAsync(string name)
    {
        foreach (var group in Groups)
        {
            try
            {
                return await client.CustomObjects.GetNamespacedCustomObjectAsync<RolloutObject>(group, RolloutCrd.Version, ns, RolloutCrd.Plural, name);
            }
            catch (HttpOperationException e) when (e.Response?.StatusCode == HttpStatusCode.NotFound)
            {
                // Not in this group (or the group is not served).
            }
        }

        throw new CommandException(404, $"Rollout \"{name}\" not found in namespace \"{ns}\"; `kubectl fledge get rollouts -n {ns}` lists what exists");
    }

    private async Task<IReadOnlyList<RolloutObject>> ListRolloutsAsync() =>
        [.. (await ListAsync<RolloutObjectList>(RolloutCrd.Plural)).SelectMany(l => l.Items).DistinctBy(r => r.Metadata.Name)];

    /// <summary>The objects of a resource in each group that serves it (fledge.io first).</summary>
    private async Task<List<T>> ListAsync<T>(string plural)
    {
        var lists = new List<T>();
        foreach (var group in Groups)
        {
            try
            {
                lists.Add(await client.CustomObjects.ListNamespacedCustomObjectAsync<T>(group, RolloutCrd.Version, ns, plural));
            }
            catch (HttpOperationException e) when (e.Response?.StatusCode == HttpStatusCode.NotFound && group != RolloutCrd.Group)
            {
                // Argo's group is not installed here.
            }
        }

        return lists;
    }

    private static readonly string[] Groups = [RolloutCrd.Group, RolloutCrd.ArgoGroup];

    private async Task<IReadOnlyList<V1ReplicaSet>> ListReplicaSetsAsync() => [.. (await client.AppsV1.ListNamespacedReplicaSetAsync(ns)).Items];

    private async Task<IReadOnlyList<V1Pod>> ListPodsAsync() => [.. (await client.CoreV1.ListNamespacedPodAsync(ns)).Items];

    /// <summary>The namespace's AnalysisTemplates as the planner reads them (one that does not validate is left out).</summary>
    private async Task<ImmutableDictionary<string, Core.Analysis.AnalysisTemplate>> TemplatesAsync() =>
        AnalysisTemplates.Read((await ListAsync<JsonObject>("analysistemplates")).SelectMany(l => l["items"]?.AsArray() ?? []));

    private async Task<List<(DateTimeOffset At, string Type, string Reason, string Message, string Object)>> EventsAsync(string? kind, string? name)
    {
        var selector = string.Join(",", new[] { kind is null ? null : $"involvedObject.kind={kind}", name is null ? null : $"involvedObject.name={name}" }.OfType<string>());
        var events = await client.CoreV1.ListNamespacedEventAsync(ns, fieldSelector: selector.Length == 0 ? null : selector);
        return events.Items
            .Select(e => (At: e.LastTimestamp ?? e.EventTime ?? e.FirstTimestamp ?? e.Metadata.CreationTimestamp ?? DateTime.UnixEpoch, e))
            .OrderBy(e => e.At)
            .Select(e => (new DateTimeOffset(DateTime.SpecifyKind(e.At, DateTimeKind.Utc)), e.e.Type ?? "", e.e.Reason ?? "", e.e.Message ?? "",
                $"{e.e.InvolvedObject.Kind?.ToLowerInvariant()}/{e.e.InvolvedObject.Name}"))
            .ToList();
    }

    private static DateTimeOffset Created(V1ObjectMeta metadata) =>
        metadata.CreationTimestamp is { } created ? new DateTimeOffset(DateTime.SpecifyKind(created, DateTimeKind.Utc)) : DateTimeOffset.UnixEpoch;

    private static JsonObject Child(JsonObject parent, string name) => parent[name] as JsonObject ?? (JsonObject)(parent[name] = new JsonObject());

    private static string Group(RolloutObject obj) => obj.ApiVersion.Split('/')[0];

    /// <summary>The API server's refusal (its Status message names the field).</summary>
    private static string ApiError(HttpOperationException e) =>
        (e.Response?.Content is { Length: > 0 } body && JsonNode.Parse(body)?["message"]?.GetValue<string>() is { } message) ? message : e.Message;
}
