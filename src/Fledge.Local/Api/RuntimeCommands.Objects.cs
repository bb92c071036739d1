using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using Fledge.Core.Planning;
using Fledge.Core.Rollouts;
using Fledge.Local.Platform;
using Fledge.Local.Replicas;
using k8s;

namespace Fledge.Local.Api;

/// <summary>
/// `get -o json|yaml`: the runtime's objects as Kubernetes writes them (apiVersion, kind, metadata with uid,
/// generation, resourceVersion and creationTimestamp, spec, status), so that what `get` prints can be applied
/// back and read by tools written for Kubernetes.
/// </summary>
internal sealed partial class RuntimeCommands
{
    private static readonly JsonSerializerOptions StatusJson = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
        Converters = { new JsonStringEnumConverter() },
    };

    /// <summary>Every object of a kind (only <paramref name="name"/> when given; for events, only those of <paramref name="involved"/> KIND/NAME).</summary>
    public async Task<JsonArray> ObjectsAsync(string kind, string? name, string? involved)
    {
        var found = RuntimeKinds.Find(kind) ?? throw new CommandException(400, RuntimeKinds.Unknown(kind));
        var items = found == RuntimeKinds.Pods ? PodObjects()
            : found == RuntimeKinds.Services ? ServiceObjects()
            : await ReadAsync(() => found == RuntimeKinds.Rollouts ? RolloutObjects()
                : found == RuntimeKinds.ReplicaSets ? ReplicaSetObjects()
                : found == RuntimeKinds.CanaryDeployments ? CanaryDeploymentObjects()
                : found == RuntimeKinds.AnalysisTemplates ? TemplateObjects()
                : EventObjects(involved));
        var selected = items.Where(o => name is null || o["metadata"]!["name"]!.GetValue<string>() == name).ToList();
        if (name is not null && selected.Count == 0)
        {
            throw CommandException.NotFound(found.Kind, name);
        }

        return [.. selected];
    }

    private List<JsonObject> RolloutObjects()
    {
        var versions = store.Versions(StoredKinds.Rollout);
        return platform.Rollouts.OrderBy(r => r.Name, StringComparer.Ordinal).Select(record =>
        {
            var manifest = JsonNode.Parse(KubernetesJson.Serialize(record.Manifest))!.AsObject();
            var status = record.Status;
            var statusNode = new JsonObject
            {
                ["observedGeneration"] = status.ObservedGeneration,
                ["replicas"] = status.Replicas,
                ["updatedReplicas"] = status.UpdatedReplicas,
                ["readyReplicas"] = status.ReadyReplicas,
                ["availableReplicas"] = status.AvailableReplicas,
                ["unavailableReplicas"] = status.UnavailableReplicas,
                ["conditions"] = new JsonArray([.. status.Conditions.Select(Condition)]),
            };
            if (status.RestartedAt is { } restartedAt)
            {
                statusNode["restartedAt"] = restartedAt.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ssZ", System.Globalization.CultureInfo.InvariantCulture);
            }

            if (status.Canary is { } canary)
            {
                statusNode["phase"] = canary.Phase;
                statusNode["message"] = canary.Message;
                statusNode[record.Rollout.Spec.Strategy.BlueGreen is null ? "canary" : "blueGreen"] = record.Rollout.Spec.Strategy.BlueGreen is null
                    ? JsonSerializer.SerializeToNode(canary, StatusJson)
                    : BlueGreenStatus(canary);
            }

            return KubernetesObject(record.ApiVersion, record.Kind, record.Name, record.CreatedAt, versions.GetValueOrDefault(record.Name),
                manifest["metadata"]!.AsObject(), manifest["spec"], statusNode);
        }).ToList();
    }

    /// <summary>A blue-green rollout's status in its own words: active and preview instead of stable and canary.</summary>
    private static JsonObject BlueGreenStatus(CanaryStatus status) => new()
    {
        ["activeReplicaSet"] = status.StableReplicaSet,
        ["previewReplicaSet"] = status.CanaryReplicaSet,
        ["previousActiveReplicaSet"] = status.PreviousReplicaSet,
        ["scaleDownAt"] = status.ScaleDownAt is { } at ? Timestamp(at) : null,
        ["aborted"] = status.Aborted,
        ["prePromotionAnalysis"] = status.StepAnalysis is { } pre ? JsonSerializer.SerializeToNode(pre, StatusJson) : null,
        ["postPromotionAnalysis"] = status.BackgroundAnalysis is { } post ? JsonSerializer.SerializeToNode(post, StatusJson) : null,
    };

    private List<JsonObject> ReplicaSetObjects()
    {
        var versions = store.ReplicaSetVersions();
        var now = time.GetUtcNow();
        return platform.Rollouts.OrderBy(r => r.Name, StringComparer.Ordinal).SelectMany(record => platform.Observe(record.Name, now).ReplicaSets
            .OrderBy(rs => rs.Revision)
            .Select(rs =>
            {
                var template = JsonNode.Parse(KubernetesJson.Serialize(rs.Template.Spec))!;
                var annotations = new JsonObject { [Annotations.Revision] = rs.Revision.ToString(CultureInfo.InvariantCulture) };
                foreach (var (key, value) in rs.CopiedAnnotations)
                {
                    annotations[key] = value;
                }

                var metadata = new JsonObject
                {
                    ["labels"] = template["metadata"]?["labels"]?.DeepClone(),
                    ["annotations"] = annotations,
                    ["ownerReferences"] = new JsonArray(OwnerReference(record.ApiVersion, record.Kind, record.Name, record.CreatedAt)),
                };
                var spec = new JsonObject
                {
                    ["replicas"] = rs.Replicas,
                    ["selector"] = new JsonObject { ["matchLabels"] = template["metadata"]?["labels"]?.DeepClone() },
                    ["template"] = template,
                };
                var status = new JsonObject
                {
                    ["replicas"] = rs.ObservedReplicas,
                    ["fullyLabeledReplicas"] = rs.ObservedReplicas,
                    ["readyReplicas"] = rs.ReadyReplicas,
                    ["availableReplicas"] = rs.AvailableReplicas,
                };
                return KubernetesObject("apps/v1", "ReplicaSet", rs.Name, rs.CreatedAt, versions.GetValueOrDefault(rs.Name), metadata, spec, status);
            })).ToList();
    }

    private List<JsonObject> PodObjects()
    {
        var templates = platform.Rollouts.SelectMany(r => platform.ReplicaSetsOf(r.Name).Select(rs => (Rollout: r, Set: rs)))
            .ToDictionary(x => x.Set.Name, StringComparer.Ordinal);
        return supervisor.Replicas().OrderBy(p => p.Name, StringComparer.Ordinal).Select(pod =>
        {
            var owner = templates.GetValueOrDefault(pod.ReplicaSet);
            var metadata = new JsonObject
            {
                ["labels"] = JsonSerializer.SerializeToNode(pod.Labels),
                ["annotations"] = new JsonObject
                {
                    ["fledge.io/port"] = pod.Port.ToString(CultureInfo.InvariantCulture),
                    ["fledge.io/pid"] = pod.Pid?.ToString(CultureInfo.InvariantCulture),
                    ["fledge.io/revision"] = pod.Revision.ToString(CultureInfo.InvariantCulture),
                },
                ["ownerReferences"] = owner.Set is null ? null : new JsonArray(OwnerReference("apps/v1", "ReplicaSet", owner.Set.Name, owner.Set.CreatedAt)),
            };
            if (pod.Phase == ReplicaPhase.Terminating)
            {
                metadata["deletionTimestamp"] = Timestamp(time.GetUtcNow());
            }

            var state = pod.Phase switch
            {
                ReplicaPhase.Running or ReplicaPhase.Terminating => new JsonObject { ["running"] = new JsonObject() },
                ReplicaPhase.CrashLoopBackOff => Waiting("CrashLoopBackOff", pod.Message),
                ReplicaPhase.Failed => Waiting("CreateContainerError", pod.Message),
                _ => Waiting("ContainerCreating", pod.Message),
            };
            var container = owner.Set?.Template.Spec.Spec?.Containers?.FirstOrDefault();
            var status = new JsonObject
            {
                ["phase"] = pod.Phase is ReplicaPhase.Pending or ReplicaPhase.Failed ? "Pending" : "Running",
                ["conditions"] = new JsonArray(new JsonObject { ["type"] = "Ready", ["status"] = pod.Ready ? "True" : "False" }),
                ["hostIP"] = "127.0.0.1",
                ["podIP"] = "127.0.0.1",
                ["startTime"] = Timestamp(pod.CreatedAt),
                ["containerStatuses"] = new JsonArray(new JsonObject
                {
                    ["name"] = container?.Name,
                    ["image"] = pod.Image,
                    ["ready"] = pod.Ready,
                    ["restartCount"] = pod.RestartCount,
                    ["started"] = pod.Phase == ReplicaPhase.Running,
                    ["state"] = state,
                }),
            };
            var spec = owner.Set is null ? null : JsonNode.Parse(KubernetesJson.Serialize(owner.Set.Template.Spec.Spec));
            return KubernetesObject("v1", "Pod", pod.Name, pod.CreatedAt, null, metadata, spec, status);
        }).ToList();

        static JsonObject Waiting(string reason, string? message) => new() { ["waiting"] = new JsonObject { ["reason"] = reason, ["message"] = message } };
    }

    private List<JsonObject> ServiceObjects()
    {
        var versions = store.Versions(StoredKinds.Service);
        return services.Objects().Select(s =>
        {
            var manifest = JsonNode.Parse(KubernetesJson.Serialize(s.Service))!.AsObject();
            var status = new JsonObject { ["loadBalancer"] = new JsonObject() };
            if (s.Problem is { } problem)
            {
                status["conditions"] = new JsonArray(new JsonObject { ["type"] = "Listening", ["status"] = "False", ["reason"] = "PortUnavailable", ["message"] = problem });
            }

            return KubernetesObject("v1", "Service", s.Service.Metadata.Name, s.CreatedAt, versions.GetValueOrDefault(s.Service.Metadata.Name),
                manifest["metadata"]?.AsObject(), manifest["spec"], status);
        }).ToList();
    }

    private List<JsonObject> CanaryDeploymentObjects()
    {
        var versions = store.Versions(StoredKinds.CanaryDeployment);
        return platform.CanaryDeployments.OrderBy(c => c.Name, StringComparer.Ordinal).Select(record =>
        {
            var manifest = JsonNode.Parse(KubernetesJson.Serialize(record.Manifest))!.AsObject();
            return KubernetesObject(Core.Kanarini.CanaryDeployment.ApiVersion, Core.Kanarini.CanaryDeployment.KindName, record.Name, record.CreatedAt,
                versions.GetValueOrDefault(record.Name), manifest["metadata"]!.AsObject(), manifest["spec"], JsonSerializer.SerializeToNode(record.Status, StatusJson));
        }).ToList();
    }

    private List<JsonObject> TemplateObjects()
    {
        var stored = store.Objects(StoredKinds.AnalysisTemplate).ToDictionary(o => o.Name, o => o.CreatedAt, StringComparer.Ordinal);
        var versions = store.Versions(StoredKinds.AnalysisTemplate);
        return platform.Templates.Values.OrderBy(t => t.Name, StringComparer.Ordinal).Select(template =>
        {
            static JsonNode? Number(string? text) => text is null ? null
                : int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var number) ? JsonValue.Create(number) : JsonValue.Create(text);
            var spec = new JsonObject
            {
                ["args"] = template.Args.Length == 0 ? null
                    : new JsonArray([.. template.Args.Select(a => new JsonObject { ["name"] = a.Name, ["value"] = a.Value })]),
                ["metrics"] = new JsonArray([.. template.Metrics.Select(m => new JsonObject
                {
                    ["name"] = m.Name,
                    ["interval"] = Number(m.Interval),
                    ["count"] = Number(m.Count),
                    ["initialDelay"] = Number(m.InitialDelay),
                    ["successCondition"] = m.SuccessCondition,
                    ["failureCondition"] = m.FailureCondition,
                    ["failureLimit"] = Number(m.FailureLimit),
                    ["inconclusiveLimit"] = Number(m.InconclusiveLimit),
                    ["consecutiveErrorLimit"] = Number(m.ConsecutiveErrorLimit),
                    ["provider"] = new JsonObject { [m.ProviderKind] = JsonSerializer.SerializeToNode(m.ProviderSettings) },
                })]),
            };
            return KubernetesObject(Core.Manifests.ResourceKinds.FledgeApiVersion, "AnalysisTemplate", template.Name,
                stored.GetValueOrDefault(template.Name), versions.GetValueOrDefault(template.Name), null, spec, null);
        }).ToList();
    }

    /// <summary>What `get KIND` prints as a table: every object of a kind (only NAME, or only those of a rollout or, for events, of an object).</summary>
    public async Task<ObjectTable> TableAsync(string kind, string? name, string? involved, string? rollout)
    {
        var found = RuntimeKinds.Find(kind) ?? throw new CommandException(400, RuntimeKinds.Unknown(kind));
        var now = time.GetUtcNow();
        var table = found == RuntimeKinds.Rollouts ? ObjectTables.Rollouts((await RolloutsAsync()).Items, now)
            : found == RuntimeKinds.ReplicaSets ? ObjectTables.ReplicaSets((await ReplicaSetListAsync()).Items.Where(rs => rollout is null || rs.Rollout == rollout), now)
            : found == RuntimeKinds.Pods ? ObjectTables.Pods(Pods().Items.Where(p => rollout is null || p.Rollout == rollout), now)
            : found == RuntimeKinds.Services ? ObjectTables.Services(Services().Items, now)
            : found == RuntimeKinds.CanaryDeployments ? ObjectTables.CanaryDeployments((await CanaryDeploymentsAsync()).Items, now)
            : found == RuntimeKinds.AnalysisTemplates ? await ReadAsync(() =>
            {
                var created = store.Objects(StoredKinds.AnalysisTemplate).ToDictionary(o => o.Name, o => o.CreatedAt, StringComparer.Ordinal);
                return ObjectTables.AnalysisTemplates(platform.Templates.Values.OrderBy(t => t.Name, StringComparer.Ordinal)
                    .Select(t => (t, created.GetValueOrDefault(t.Name))), now);
            })
            : await ReadAsync(() => ObjectTables.Events(Events(involved).Select(e => (e.Kind, e.Name, e.Event)), now));
        if (name is null || found == RuntimeKinds.Events)
        {
            return table;
        }

        var rows = table.Rows.Where(r => r.Cells[0] == name).ToList();
        return rows.Count > 0 ? table with { Rows = rows } : throw CommandException.NotFound(found.Kind, name);
    }

    private List<JsonObject> EventObjects(string? involved) =>
        Events(involved).Select(e =>
        {
            var node = KubernetesObject("v1", "Event", $"{e.Name}.{e.Id:x}", e.Event.At, e.Id, null, null, null);
            node["involvedObject"] = new JsonObject { ["kind"] = e.Kind, ["name"] = e.Name };
            node["reason"] = e.Event.Reason;
            node["message"] = e.Event.Message;
            node["type"] = e.Event.Type;
            node["count"] = 1;
            node["firstTimestamp"] = Timestamp(e.Event.At);
            node["lastTimestamp"] = Timestamp(e.Event.At);
            node["source"] = new JsonObject { ["component"] = "fledge" };
            return node;
        }).ToList();

    /// <summary>The last events, of every object or of the one <paramref name="involved"/> names (KIND/NAME).</summary>
    private List<(long Id, string Kind, string Name, Store.StoredEvent Event)> Events(string? involved)
    {
        var prefix = "";
        if (involved is not null)
        {
            var slash = involved.IndexOf('/', StringComparison.Ordinal);
            var kind = slash > 0 ? RuntimeKinds.Find(involved[..slash]) : null;
            if (slash <= 0 || slash == involved.Length - 1)
            {
                throw new CommandException(400, $"--for: Invalid value: \"{involved}\": write KIND/NAME, such as rollout/hello or canarydeployment/hello");
            }

            if (kind is null)
            {
                throw new CommandException(400, $"--for: {RuntimeKinds.Unknown(involved[..slash])}");
            }

            var name = involved[(slash + 1)..];
            // A Deployment's events are kept under its own kind; rollout/NAME finds either.
            prefix = kind == RuntimeKinds.Rollouts ? (platform.Find(name)?.Kind ?? "Rollout") + "/" + name : $"{kind.Kind}/{name}";
        }

        return store.AllEvents(500, prefix)
            .Where(e => prefix.Length == 0 || e.Object == prefix)
            .Select(e =>
            {
                var slash = e.Object.IndexOf('/', StringComparison.Ordinal);
                return (e.Id, e.Object[..slash], e.Object[(slash + 1)..], e.Event);
            }).ToList();
    }

    /// <summary>apiVersion, kind, metadata (the written metadata with name, uid, generation, resourceVersion and creationTimestamp set), spec, status.</summary>
    private static JsonObject KubernetesObject(string apiVersion, string kind, string name, DateTimeOffset createdAt, long? version,
        JsonObject? metadata, JsonNode? spec, JsonNode? status)
    {
        var meta = metadata?.DeepClone().AsObject() ?? [];
        meta["name"] = name;
        meta["uid"] = Uid(kind, name, createdAt);
        meta["resourceVersion"] = version?.ToString(CultureInfo.InvariantCulture);
        meta["creationTimestamp"] = Timestamp(createdAt);
        var node = new JsonObject
        {
            ["apiVersion"] = apiVersion,
            ["kind"] = kind,
            ["metadata"] = meta,
            ["spec"] = spec?.DeepClone(),
            ["status"] = status?.DeepClone(),
        };
        Prune(node);
        return node;
    }

    /// <summary>Leaves out fields without a value, as Kubernetes prints objects.</summary>
    private static void Prune(JsonNode? node)
    {
        switch (node)
        {
            case JsonObject obj:
                foreach (var key in obj.Where(p => p.Value is null).Select(p => p.Key).ToList())
                {
                    obj.Remove(key);
                }

                foreach (var (_, value) in obj)
                {
                    Prune(value);
                }

                break;
            case JsonArray array:
                foreach (var item in array)
                {
                    Prune(item);
                }

                break;
        }
    }

    private static JsonObject OwnerReference(string apiVersion, string kind, string name, DateTimeOffset createdAt) => new()
    {
        ["apiVersion"] = apiVersion,
        ["kind"] = kind,
        ["name"] = name,
        ["uid"] = Uid(kind, name, createdAt),
        ["controller"] = true,
        ["blockOwnerDeletion"] = true,
    };

    private static JsonObject Condition(RolloutCondition c) => new()
    {
        ["type"] = c.Type,
        ["status"] = c.Status.ToString(),
        ["lastUpdateTime"] = Timestamp(c.LastUpdateTime),
        ["lastTransitionTime"] = Timestamp(c.LastTransitionTime),
        ["reason"] = c.Reason,
        ["message"] = c.Message,
    };

    private static string Timestamp(DateTimeOffset at) => at.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture);

    /// <summary>A stable uid: the same object (kind, name, creation time) always has the same one, a re-created one a new one.</summary>
    private static string Uid(string kind, string name, DateTimeOffset createdAt)
    {
        var hash = SHA256.HashData(Encoding.UTF8.GetBytes($"{kind}/{name}/{createdAt.UtcTicks}"));
        hash[6] = (byte)((hash[6] & 0x0F) | 0x50);
        hash[8] = (byte)((hash[8] & 0x3F) | 0x80);
        return new Guid(hash.AsSpan(0, 16), bigEndian: true).ToString();
    }
}
