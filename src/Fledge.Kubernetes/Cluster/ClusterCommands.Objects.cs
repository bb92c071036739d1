using System.Collections.Immutable;
using System.Net;
using System.Text.Json.Nodes;
using Fledge.Core.Manifests;
using Fledge.Local.Api;
using Fledge.Local.Store;
using k8s;
using k8s.Autorest;
using k8s.Models;

namespace Fledge.Kubernetes.Cluster;

/// <summary>`get` (tables and objects), `apply` and `delete` on a cluster.</summary>
public sealed partial class ClusterCommands
{
    private static readonly string[] Served = ["rollouts", "analysistemplates", "replicasets", "pods", "services", "events"];

    public async Task<ObjectTable> TableAsync(string kind, string? name, string? involved, string? rollout)
    {
        var found = Kind(kind);
        var now = time.GetUtcNow();
        var table = found.Plural switch
        {
            "rollouts" => ObjectTables.Rollouts((await RolloutsAsync()).Items, now),
            "replicasets" => ObjectTables.ReplicaSets((await ReplicaSetListAsync()).Items.Where(rs => rollout is null || rs.Rollout == rollout), now),
            "pods" => ObjectTables.Pods(Replicas(await ListPodsAsync(), await ListReplicaSetsAsync()).Where(p => rollout is null || p.Rollout == rollout), now),
            "services" => Services(await client.CoreV1.ListNamespacedServiceAsync(ns), now),
            "analysistemplates" => ObjectTables.AnalysisTemplates(await TemplatesWithAgeAsync(), now),
            _ => await EventTableAsync(involved, now),
        };
        if (name is null || found == RuntimeKinds.Events)
        {
            return table;
        }

        var rows = table.Rows.Where(r => r.Cells[0] == name).ToList();
        return rows.Count > 0 ? table with { Rows = rows } : throw NotFound(found.Kind, name);
    }

    /// <summary>The objects as the API server holds them (apiVersion and kind set on each, managedFields left out).</summary>
    public async Task<JsonArray> ObjectsAsync(string kind, string? name, string? involved)
    {
        var found = Kind(kind);
        JsonNode? list = found.Plural switch
        {
            "rollouts" or "analysistemplates" => new JsonObject { ["items"] = new JsonArray([.. (await ListAsync<JsonObject>(found.Plural)).SelectMany(l => l["items"]?.AsArray() ?? []).Select(i => i?.DeepClone())]) },
            "replicasets" => Typed(await client.AppsV1.ListNamespacedReplicaSetAsync(ns), "apps/v1", "ReplicaSet"),
            "pods" => Typed(await client.CoreV1.ListNamespacedPodAsync(ns), "v1", "Pod"),
            "services" => Typed(await client.CoreV1.ListNamespacedServiceAsync(ns), "v1", "Service"),
            _ => Typed(await client.CoreV1.ListNamespacedEventAsync(ns, fieldSelector: InvolvedSelector(involved)), "v1", "Event"),
        };
        var items = (list?["items"]?.AsArray() ?? []).OfType<JsonObject>().Select(item =>
        {
            var copy = item.DeepClone().AsObject();
            (copy["metadata"] as JsonObject)?.Remove("managedFields");
            return copy;
        }).Where(o => name is null || o["metadata"]?["name"]?.GetValue<string>() == name).ToList();
        if (name is not null && items.Count == 0)
        {
            throw NotFound(found.Kind, name);
        }

        return [.. items];
    }

    /// <summary>
    /// Creates or replaces each object (Rollouts, AnalysisTemplates, Services, and Deployments for Kubernetes' own
    /// controller) in the namespace, once every object of every file has been checked: bad input writes nothing.
    /// </summary>
    public async Task<ApplyResponse> ApplyAsync(ApplyRequest request)
    {
        var errors = new List<string>();
        var objects = new List<(ManifestObject Source, JsonObject Body)>();
        var loadedSources = request.Sources.Select(source => ManifestLoader.Load(source.Content, source.Name)).ToList();
        // A workloadRef names a Deployment of this apply or of the namespace.
        var deployments = WorkloadRefs.DeploymentsOf(loadedSources.SelectMany(l => l.Objects));
        foreach (var name in WorkloadRefs.Referenced(loadedSources.SelectMany(l => l.Objects)).Where(n => !deployments.ContainsKey(n)))
        {
            try
            {
                deployments[name] = RolloutReader.FromDeployment(await client.AppsV1.ReadNamespacedDeploymentAsync(name, ns));
            }
            catch (k8s.Autorest.HttpOperationException e) when (e.Response?.StatusCode == System.Net.HttpStatusCode.NotFound)
            {
                // Reading the rollout says it is not found.
            }
        }

        foreach (var loaded in loadedSources)
        {
            errors.AddRange(loaded.Errors.Select(e => e.ToString()));
            foreach (var obj in loaded.Objects)
            {
                switch (obj.Resource)
                {
                    case RolloutResource or k8s.Models.V1Deployment:
                        errors.AddRange(RolloutReader.Read(obj, deployments.GetValueOrDefault).Errors.Select(e => e.ToString()));
                        break;
                    case AnalysisTemplateResource when obj.Kind == AnalysisTemplateReader.ClusterKind:
                        errors.Add($"{obj.Source}:{obj.Line}: {obj.Display}: a ClusterAnalysisTemplate belongs to no namespace; apply it with kubectl apply -f (the operator reads it)");
                        continue;
                    case AnalysisTemplateResource when obj.Kind == AnalysisTemplateReader.RunKind:
                        errors.Add($"{obj.Source}:{obj.Line}: {obj.Display}: {AnalysisTemplateReader.RunAdvice}");
                        continue;
                    case AnalysisTemplateResource:
                        errors.AddRange(AnalysisTemplateReader.Read(obj).Errors.Select(e => e.ToString()));
                        break;
                    case V1Service:
                        break;
                    default:
                        errors.Add($"{obj.Source}:{obj.Line}: {obj.Display}: {obj.Kind} objects are not applied to a cluster by fledge " +
                            (obj.Kind == "ReplicaSet" ? "(they are managed by their rollout; apply the Rollout instead)" : "(use kubectl apply for them)"));
                        continue;
                }

                var body = (JsonObject)YamlJson.ToJson(obj.Node)!;
                var metadata = Child(body, "metadata");
                if (metadata["namespace"]?.GetValue<string>() is { } written && written != ns)
                {
                    errors.Add($"{obj.Source}:{obj.Line}: {obj.Display}: the namespace from the provided object \"{written}\" does not match the namespace \"{ns}\". You must pass '--namespace={written}' to perform this operation.");
                }

                metadata["namespace"] = ns;
                objects.Add((obj, body));
            }
        }

        if (errors.Count > 0)
        {
            throw new CommandException(400, errors);
        }

        var results = new List<ApplyResult>();
        foreach (var (source, body) in objects)
        {
            try
            {
                results.Add(new ApplyResult(source.Kind, source.Name, await ApplyAsync(source, body)));
            }
            catch (HttpOperationException e) when (e.Response?.StatusCode is HttpStatusCode.UnprocessableEntity or HttpStatusCode.BadRequest)
            {
                throw new CommandException(400, $"{source.Source}:{source.Line}: {source.Display}: {ApiError(e)}");
            }
            catch (HttpOperationException e) when (e.Response?.StatusCode == HttpStatusCode.NotFound)
            {
                throw new CommandException(400, $"{source.Source}:{source.Line}: {source.Display}: the cluster does not serve {source.ApiVersion} {source.Kind}: " +
                    "install Fledge's resources with `kubectl apply -k deploy/kubernetes`");
            }
        }

        return new ApplyResponse(results);
    }

    public async Task<MessageResponse> DeleteAsync(string kind, string name)
    {
        var found = Kind(kind);
        try
        {
            switch (found.Plural)
            {
                case "rollouts":
                    var rollout = await RolloutAsync(name);
                    await client.CustomObjects.DeleteNamespacedCustomObjectAsync(Group(rollout), RolloutCrd.Version, ns, found.Plural, name);
                    break;
                case "analysistemplates":
                    await client.CustomObjects.DeleteNamespacedCustomObjectAsync(RolloutCrd.Group, RolloutCrd.Version, ns, found.Plural, name);
                    break;
                case "services":
                    await client.CoreV1.DeleteNamespacedServiceAsync(name, ns);
                    break;
                default:
                    throw new CommandException(400, $"{found.Plural} are not deleted by fledge: delete their rollout, or use kubectl");
            }
        }
        catch (HttpOperationException e) when (e.Response?.StatusCode == HttpStatusCode.NotFound)
        {
            throw NotFound(found.Kind, name);
        }

        return new MessageResponse($"{found.Kind.ToLowerInvariant()} \"{name}\" deleted");
    }

    private async Task<string> ApplyAsync(ManifestObject source, JsonObject body)
    {
        var group = source.ApiVersion.Contains('/', StringComparison.Ordinal) ? source.ApiVersion[..source.ApiVersion.IndexOf('/', StringComparison.Ordinal)] : "";
        var version = source.ApiVersion[(source.ApiVersion.IndexOf('/', StringComparison.Ordinal) + 1)..];
        var plural = source.Kind.ToLowerInvariant() + "s";
        return source.Kind switch
        {
            "Rollout" or "AnalysisTemplate" => await CreateOrReplaceAsync<JsonObject>(body,
                () => client.CustomObjects.GetNamespacedCustomObjectAsync<JsonObject>(group, version, ns, plural, source.Name),
                obj => client.CustomObjects.CreateNamespacedCustomObjectAsync(obj, group, version, ns, plural),
                obj => client.CustomObjects.ReplaceNamespacedCustomObjectAsync(obj, group, version, ns, plural, source.Name)),
            // The cluster IP is the API server's to give; the Fledge operator may have set the selector's pod-template-hash.
            "Service" => await CreateOrReplaceAsync<V1Service>(body,
                () => client.CoreV1.ReadNamespacedServiceAsync(source.Name, ns),
                service => client.CoreV1.CreateNamespacedServiceAsync(service, ns),
                service => client.CoreV1.ReplaceNamespacedServiceAsync(service, source.Name, ns),
                keep: ["clusterIP", "clusterIPs"]),
            _ => await CreateOrReplaceAsync<V1Deployment>(body,
                () => client.AppsV1.ReadNamespacedDeploymentAsync(source.Name, ns),
                deployment => client.AppsV1.CreateNamespacedDeploymentAsync(deployment, ns),
                deployment => client.AppsV1.ReplaceNamespacedDeploymentAsync(deployment, source.Name, ns)),
        };
    }

    /// <summary>
    /// Creates the object as written when it is not there (a kind the cluster does not serve fails here, with 404), or
    /// merges what was written into the live object (<see cref="Merge"/>) and replaces it when that changed anything.
    /// </summary>
    private static async Task<string> CreateOrReplaceAsync<T>(
        JsonObject body, Func<Task<T>> read, Func<T, Task> create, Func<T, Task> replace, string[]? keep = null)
    {
        T live;
        try
        {
            live = await read();
        }
        catch (HttpOperationException e) when (e.Response?.StatusCode == HttpStatusCode.NotFound)
        {
            await create(KubernetesJson.Deserialize<T>(body.ToJsonString()));
            return "created";
        }

        var node = JsonNode.Parse(KubernetesJson.Serialize(live))!.AsObject();
        if (!Merge(node, body, keep))
        {
            return "unchanged";
        }

        await replace(KubernetesJson.Deserialize<T>(node.ToJsonString()));
        return "configured";
    }

    /// <summary>
    /// Puts the written spec, labels and annotations on the live object (keeping what the API server and the operator
    /// wrote: the status, the revision annotation, <paramref name="keep"/> of the spec); false when nothing changes.
    /// </summary>
    private static bool Merge(JsonObject live, JsonObject written, string[]? keep = null)
    {
        var spec = written["spec"]?.DeepClone() as JsonObject ?? [];
        foreach (var field in keep ?? [])
        {
            if (live["spec"]?[field] is { } value && spec[field] is null)
            {
                spec[field] = value.DeepClone();
            }
        }

        var metadata = Child(live, "metadata");
        var annotations = written["metadata"]?["annotations"]?.DeepClone() as JsonObject ?? [];
        if (metadata["annotations"]?[Core.Rollouts.Annotations.Revision] is { } revision)
        {
            annotations[Core.Rollouts.Annotations.Revision] = revision.DeepClone();
        }

        var labels = written["metadata"]?["labels"]?.DeepClone() as JsonObject ?? [];
        var changed = !JsonNode.DeepEquals(live["spec"], spec)
            || !JsonNode.DeepEquals(metadata["annotations"] ?? new JsonObject(), annotations)
            || !JsonNode.DeepEquals(metadata["labels"] ?? new JsonObject(), labels);
        live["spec"] = spec;
        metadata["annotations"] = annotations;
        metadata["labels"] = labels;
        return changed;
    }

    private async Task<IEnumerable<(Core.Analysis.AnalysisTemplate, DateTimeOffset)>> TemplatesWithAgeAsync()
    {
        var items = (await ListAsync<JsonObject>("analysistemplates")).SelectMany(l => l["items"]?.AsArray() ?? []).ToList();
        var templates = AnalysisTemplates.Read(items);
        return items.OfType<JsonObject>()
            .Select(i => (Name: i["metadata"]?["name"]?.GetValue<string>() ?? "", Created: i["metadata"]?["creationTimestamp"]?.GetValue<DateTimeOffset>() ?? DateTimeOffset.UnixEpoch))
            .Where(i => templates.ContainsKey(i.Name))
            .OrderBy(i => i.Name, StringComparer.Ordinal)
            .Select(i => (templates[i.Name], i.Created));
    }

    private async Task<ObjectTable> EventTableAsync(string? involved, DateTimeOffset now)
    {
        var (kind, name) = involved is null ? (null, null) : SplitInvolved(involved);
        var events = await EventsAsync(kind, name);
        return ObjectTables.Events(events.Select(e =>
        {
            var slash = e.Object.IndexOf('/', StringComparison.Ordinal);
            return (e.Object[..slash], e.Object[(slash + 1)..], new StoredEvent(e.At, e.Type, e.Reason, e.Message));
        }), now);
    }

    private static string? InvolvedSelector(string? involved)
    {
        if (involved is null)
        {
            return null;
        }

        var (kind, name) = SplitInvolved(involved);
        return $"involvedObject.kind={kind},involvedObject.name={name}";
    }

    private static (string Kind, string Name) SplitInvolved(string involved)
    {
        var slash = involved.IndexOf('/', StringComparison.Ordinal);
        if (slash <= 0 || slash == involved.Length - 1)
        {
            throw new CommandException(400, $"--for: Invalid value: \"{involved}\": write KIND/NAME, such as rollout/hello");
        }

        var kind = RuntimeKinds.Find(involved[..slash]) ?? throw new CommandException(400, $"--for: {RuntimeKinds.Unknown(involved[..slash])}");
        return (kind.Kind, involved[(slash + 1)..]);
    }

    private static ObjectTable Services(V1ServiceList services, DateTimeOffset now) => new(
        [new("NAME"), new("TYPE"), new("CLUSTER-IP"), new("PORT(S)"), new("AGE"), new("SELECTOR", Priority: 1)],
        services.Items.OrderBy(s => s.Metadata.Name, StringComparer.Ordinal).Select(s => new TableRow(
        [
            s.Metadata.Name, s.Spec.Type ?? "ClusterIP", s.Spec.ClusterIP ?? "<none>",
            string.Join(",", s.Spec.Ports?.Select(p => $"{p.Port}/{p.Protocol ?? "TCP"}") ?? []),
            Age.Since(Created(s.Metadata), now),
            s.Spec.Selector is { Count: > 0 } selector ? string.Join(",", selector.Select(l => $"{l.Key}={l.Value}")) : "<none>",
        ])).ToList());

    private static JsonObject Typed<T>(T list, string apiVersion, string kind)
    {
        var node = JsonNode.Parse(KubernetesJson.Serialize(list))!.AsObject();
        foreach (var item in node["items"]?.AsArray().OfType<JsonObject>() ?? [])
        {
            item["apiVersion"] = apiVersion;
            item["kind"] = kind;
        }

        return node;
    }

    private static RuntimeKind Kind(string kind) =>
        RuntimeKinds.Find(kind) is { } found && Served.Contains(found.Plural)
            ? found
            : throw new CommandException(400, RuntimeKinds.Find(kind) is { } known
                ? $"{known.Plural} are not served on a Kubernetes cluster by fledge (use {string.Join(", ", Served)})"
                : RuntimeKinds.Unknown(kind, RuntimeKinds.All.Where(k => Served.Contains(k.Plural))));

    private CommandException NotFound(string kind, string name) =>
        new(404, $"{kind} \"{name}\" not found in namespace \"{ns}\"; `kubectl fledge get {kind.ToLowerInvariant()}s -n {ns}` lists what exists");
}

/// <summary>AnalysisTemplates as the API server lists them, read as the planner reads a file's.</summary>
internal static class AnalysisTemplates
{
    public static ImmutableDictionary<string, Core.Analysis.AnalysisTemplate> Read(IEnumerable<JsonNode?> items)
    {
        var templates = ImmutableDictionary.CreateBuilder<string, Core.Analysis.AnalysisTemplate>(StringComparer.Ordinal);
        foreach (var item in items.OfType<JsonObject>())
        {
            var copy = item.DeepClone().AsObject();
            copy["metadata"] = new JsonObject { ["name"] = item["metadata"]?["name"]?.DeepClone() };
            copy.Remove("status");
            var loaded = ManifestLoader.Load(copy.ToJsonString(), $"analysistemplate/{item["metadata"]?["name"]}");
            foreach (var obj in loaded.Objects.Where(o => o.Resource is AnalysisTemplateResource))
            {
                if (AnalysisTemplateReader.Read(obj).Template is { } template)
                {
                    templates[template.Name] = template;
                }
            }
        }

        return templates.ToImmutable();
    }
}
