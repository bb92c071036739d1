using System.Collections.Immutable;
using System.Globalization;
using System.Net;
using System.Text.Json.Nodes;
using Fledge.Control;
using Fledge.Core.Manifests;
using Fledge.Core.Planning;
using Fledge.Core.Rollouts;
using k8s;
using k8s.Autorest;
using k8s.Models;

namespace Fledge.Kubernetes;

/// <summary>
/// The planner's platform on a Kubernetes API server, for rollouts named "namespace/name": what it observes comes
/// from the operator's caches, what it decides is written to the API server (ReplicaSets it owns with a controller
/// reference and the pod-template-hash label and selector, as the Deployment controller makes them; the rollout's
/// revision annotation; its status through the status subresource, refused on a stale resourceVersion; each decision
/// as an Event). The API server's answer goes into the cache at once, so the next pass sees it.
/// </summary>
internal sealed partial class KubernetesPlatform(
    IKubernetes client, RolloutCaches rollouts, ObjectCache<V1ReplicaSet> replicaSets,
    Func<string, ImmutableDictionary<string, Core.Analysis.AnalysisTemplate>> templates, string identity)
    : IRolloutPlatform
{
    public const string Component = "fledge-operator";

    public RolloutSnapshot Observe(string rolloutName, DateTimeOffset now)
    {
        // The Deployment of a workloadRef was read when the reconcile began (Claim); again only if a watch event replaced it since.
        var obj = Find(rolloutName);
        obj = obj.Spec?["template"] is null ? WithWorkload(obj) : obj;
        return Snapshot(obj, OwnedBy(obj), now) with { Templates = templates(obj.Metadata.NamespaceProperty ?? "") };
    }

    /// <summary>
    /// Replaces the rollout's status (through the status subresource, with the resourceVersion read) and keeps the answer;
    /// a rollout changed since is refused by the API server (409), and <see cref="StaleRolloutException"/> says to read it again.
    /// </summary>
    public RolloutObject WriteStatus(RolloutObject obj, RolloutStatus status)
    {
        var body = new RolloutObject
        {
            ApiVersion = obj.ApiVersion,
            Kind = obj.Kind,
            Metadata = obj.Metadata,
            Spec = obj.Spec,
            Status = StatusJson.ToNode(status, ToRollout(obj) with { Status = status }),
        };
        try
        {
            var written = Call(() => client.CustomObjects.ReplaceNamespacedCustomObjectStatusAsync<RolloutObject>(
                body, Group(obj), RolloutCrd.Version, obj.Metadata.NamespaceProperty, RolloutCrd.Plural, obj.Metadata.Name));
            rollouts.Put(written);
            return written;
        }
        catch (HttpOperationException e) when (e.Response?.StatusCode == HttpStatusCode.Conflict)
        {
            throw new StaleRolloutException($"{obj.Metadata.NamespaceProperty}/{obj.Metadata.Name}");
        }
    }

    /// <summary>The rollout and the ReplicaSets it controls (of <paramref name="replicaSets"/>), as the planner reads them.</summary>
    public static RolloutSnapshot Snapshot(RolloutObject obj, IEnumerable<V1ReplicaSet> replicaSets, DateTimeOffset now)
    {
        var rollout = ToRollout(obj);
        var sets = Owned(obj, replicaSets).Select(rs => AsWritten(ReplicaSetReader.Read(rs), rs, rollout)).ToImmutableArray();
        return new RolloutSnapshot(rollout, sets, now);
    }

    public void Apply(string rolloutName, PlanAction action, DateTimeOffset now)
    {
        var obj = Find(rolloutName);
        var ns = obj.Metadata.NamespaceProperty;
        switch (action)
        {
            case CreateReplicaSet create:
                Create(obj, create.ReplicaSet);
                break;
            case ScaleReplicaSet scale:
                PatchReplicaSet(ns, scale.Name, new JsonObject
                {
                    ["metadata"] = new JsonObject
                    {
                        ["annotations"] = new JsonObject
                        {
                            [Annotations.DesiredReplicas] = Text(scale.DesiredReplicas),
                            [Annotations.MaxReplicas] = Text(scale.MaxReplicas),
                        },
                    },
                    ["spec"] = new JsonObject { ["replicas"] = scale.To },
                });
                break;
            case AnnotateReplicaSet annotate:
                var current = replicaSets.Get(ns, annotate.Name)?.Metadata.Annotations ?? new Dictionary<string, string>();
                var wanted = ReplicaSetAnnotations(annotate.Annotations, annotate.Revision, annotate.RevisionHistory, annotate.DesiredReplicas, annotate.MaxReplicas);
                var patch = new JsonObject();
                foreach (var (key, value) in wanted)
                {
                    patch[key] = value;
                }

                foreach (var key in current.Keys.Where(k => !wanted.ContainsKey(k) && !Annotations.IsSkippedOnCopy(k)))
                {
                    patch[key] = null;
                }

                PatchReplicaSet(ns, annotate.Name, new JsonObject { ["metadata"] = new JsonObject { ["annotations"] = patch } });
                break;
            case DeleteReplicaSet delete:
                Call(() => client.AppsV1.DeleteNamespacedReplicaSetAsync(delete.Name, ns, propagationPolicy: "Background"));
                replicaSets.Remove(ns, delete.Name);
                break;
            case SetRolloutRevision revision:
                var patched = Call(() => client.CustomObjects.PatchNamespacedCustomObjectAsync<RolloutObject>(
                    new V1Patch(new JsonObject { ["metadata"] = new JsonObject { ["annotations"] = new JsonObject { [Annotations.Revision] = Text(revision.Revision) } } }.ToJsonString(), V1Patch.PatchType.MergePatch),
                    Group(obj), RolloutCrd.Version, ns, RolloutCrd.Plural, obj.Metadata.Name));
                rollouts.Put(patched);
                break;
            case UpdateRolloutStatus status:
                WriteStatus(obj, status.Status);
                break;
            case RecordEvent recorded:
                Record(obj, recorded, now);
                if (Notifier is { } notifier && obj.Spec?["strategy"]?["canary"]?["webhooks"] is not null)
                {
                    notifier.Notify(ToRollout(obj), recorded.Type, recorded.EventReason, recorded.Message);
                }

                break;
            case SetTrafficWeight:
                // Without a traffic router the canary's share is its share of the replicas.
                break;
        }
    }

    /// <summary>
    /// Adopts and releases ReplicaSets as the Deployment controller does (its ControllerRefManager): a ReplicaSet with
    /// no controller whose labels the rollout's selector matches gets the rollout as its controller; one the rollout
    /// controls whose labels no longer match is let go (its pods stay, as Kubernetes leaves them). Each patch carries
    /// the ReplicaSet's uid, so a ReplicaSet deleted and made again in between is never claimed by mistake.
    /// </summary>
    public void Claim(string rolloutName, DateTimeOffset now)
    {
        var obj = WithWorkload(Find(rolloutName));
        if (obj.Metadata.DeletionTimestamp is not null)
        {
            return;
        }

        var rollout = ToRollout(obj);
        var ns = obj.Metadata.NamespaceProperty;
        foreach (var rs in replicaSets.Indexed(ControllerKey(ns, null)).Concat(OwnedBy(obj)).Where(r => r.Metadata.DeletionTimestamp is null))
        {
            var matches = rs.Metadata.Labels is { } labels && Core.Validation.Selectors.Matches(rollout.Spec.Selector, labels);
            var owners = rs.Metadata.OwnerReferences ?? [];
            var controller = owners.FirstOrDefault(o => o.Controller == true);
            IEnumerable<V1OwnerReference>? claimed = (controller, matches) switch
            {
                (null, true) => [.. owners, Owner(obj)],
                ({ } ours, false) when ours.Uid == obj.Metadata.Uid => owners.Where(o => o.Uid != obj.Metadata.Uid),
                _ => null,
            };
            if (claimed is null)
            {
                continue;
            }

            PatchReplicaSet(ns, rs.Metadata.Name, new JsonObject
            {
                ["metadata"] = new JsonObject
                {
                    ["uid"] = rs.Metadata.Uid,
                    ["ownerReferences"] = JsonNode.Parse(KubernetesJson.Serialize(claimed.ToList())),
                },
            });
            Record(obj, new RecordEvent(RecordEvent.Normal, matches ? "Adopted" : "Released",
                matches ? $"Adopted replica set {rs.Metadata.Name}: its labels match the selector" : $"Released replica set {rs.Metadata.Name}: its labels no longer match the selector"),
                now);
        }
    }

    /// <summary>The ReplicaSet cache's index: namespace and controller uid ("ns/" for one without a controller).</summary>
    public static string ControllerIndex(V1ReplicaSet rs) =>
        ControllerKey(rs.Metadata.NamespaceProperty, rs.Metadata.OwnerReferences?.FirstOrDefault(o => o.Controller == true)?.Uid);

    private static string ControllerKey(string? ns, string? uid) => $"{ns}/{uid}";

    /// <summary>The ReplicaSets the rollout controls, from the cache's index.</summary>
    public IReadOnlyList<V1ReplicaSet> OwnedBy(RolloutObject obj) => replicaSets.Indexed(ControllerKey(obj.Metadata.NamespaceProperty, obj.Metadata.Uid));

    private static V1OwnerReference Owner(RolloutObject obj) => new()
    {
        ApiVersion = obj.ApiVersion, Kind = obj.Kind, Name = obj.Metadata.Name, Uid = obj.Metadata.Uid, BlockOwnerDeletion = true, Controller = true,
    };

    /// <summary>The annotation on a Service whose selector a rollout sets (Argo's is argo-rollouts.argoproj.io/managed-by-rollouts).</summary>
    public const string ManagedBy = "rollouts.fledge.io/managed-by";

    /// <summary>
    /// Points a blue-green rollout's active and preview Services (a canary's stable and canary Services) at their
    /// revisions, as Argo Rollouts does: the pod-template-hash of the ReplicaSet in the rollout's status is added to
    /// each Service's selector. A selector someone else changed is put back on the next pass.
    /// </summary>
    public void SyncServices(string rolloutName)
    {
        var obj = Find(rolloutName);
        var rollout = ToRollout(obj);
        var ns = obj.Metadata.NamespaceProperty;
        if (rollout.Status.Canary is not { StableReplicaSet: { } stable } status)
        {
            return;
        }

        var canary = status.CanaryReplicaSet ?? stable;
        var wanted = rollout.Spec.Strategy switch
        {
            { BlueGreen: { } blueGreen } => new[] { (blueGreen.ActiveService, stable), (blueGreen.PreviewService, canary) },
            { Canary: { } c } => [(c.StableService, stable), (c.CanaryService, canary)],
            _ => [],
        };
        foreach (var (service, replicaSet) in wanted)
        {
            if (service is null || Value(replicaSets.Get(ns, replicaSet)?.Metadata.Labels, Annotations.PodTemplateHashLabel) is not { } hash)
            {
                continue;
            }

            V1Service current;
            try
            {
                current = Call(() => client.CoreV1.ReadNamespacedServiceAsync(service, ns));
            }
            catch (HttpOperationException e) when (e.Response?.StatusCode == HttpStatusCode.NotFound)
            {
                throw new InvalidOperationException($"Service \"{service}\" of rollout {rolloutName} not found: create it (its selector is the rollout's labels)");
            }

            if (Value(current.Spec.Selector, Annotations.PodTemplateHashLabel) == hash
                && Value(current.Metadata.Annotations, ManagedBy) == obj.Metadata.Name)
            {
                continue;
            }

            Call(() => client.CoreV1.PatchNamespacedServiceAsync(new V1Patch(new JsonObject
            {
                ["metadata"] = new JsonObject { ["annotations"] = new JsonObject { [ManagedBy] = obj.Metadata.Name } },
                ["spec"] = new JsonObject { ["selector"] = new JsonObject { [Annotations.PodTemplateHashLabel] = hash } },
            }.ToJsonString(), V1Patch.PatchType.MergePatch), service, ns));
        }
    }

    /// <summary>
    /// The API server fills in a ReplicaSet's pod template with defaults (imagePullPolicy, terminationMessagePath...)
    /// that a Rollout's template, a custom resource's, never gets; so, as Argo Rollouts does, the ReplicaSet whose
    /// pod-template-hash is the rollout template's hash is the rollout's template, as written.
    /// </summary>
    private static ReplicaSetState AsWritten(ReplicaSetState state, V1ReplicaSet rs, Rollout rollout)
    {
        var template = rollout.Spec.Template;
        if (rs.Metadata.Labels?.TryGetValue(Annotations.PodTemplateHashLabel, out var hash) != true)
        {
            return state;
        }

        var collisions = rollout.Status.CollisionCount;
        // Or the rollout's template is the ReplicaSet's own, defaults and all: undo copies it back that way.
        var matches = hash == template.Hash || state.Template.SameAs(template)
            || Enumerable.Range(1, Math.Max(0, collisions)).Any(c => PodTemplateHasher.Hash(template.Key, c) == hash);
        return matches ? state with { Template = new PodTemplate(PodTemplateHasher.WithHashLabel(template.Spec, hash!), template.Key, hash!) } : state;
    }

    /// <summary>The rollout as the planner reads it; its manifest errors, with field paths, when it does not validate.</summary>
    /// <summary>Tells the rollouts' event and post-rollout webhooks of their events.</summary>
    public Metrics.Web.WebhookNotifier? Notifier { get; init; }

    public static Rollout ToRollout(RolloutObject obj)
    {
        var resource = new RolloutResource
        {
            ApiVersion = obj.ApiVersion,
            Kind = obj.Kind,
            Metadata = KubernetesJson.Deserialize<V1ObjectMeta>(KubernetesJson.Serialize(obj.Metadata)),
            Spec = KubernetesJson.Deserialize<RolloutSpecResource>(obj.Spec?.ToJsonString() ?? "{}"),
        };
        var (rollout, errors) = RolloutReader.FromResource(resource, obj.ApiVersion, obj.Kind);
        return rollout is null
            ? throw new InvalidRolloutException(string.Join("; ", errors.Select(e => e.ToString())))
            : rollout with { Status = StatusJson.FromNode(obj.Status), Namespace = obj.Metadata.NamespaceProperty ?? "" };
    }

    private RolloutObject Find(string rolloutName)
    {
        var slash = rolloutName.IndexOf('/', StringComparison.Ordinal);
        return rollouts.Get(rolloutName[..slash], rolloutName[(slash + 1)..]) ?? throw new KeyNotFoundException($"rollout {rolloutName} is gone");
    }

    /// <summary>The ReplicaSets the rollout controls (by the uid in their controller reference).</summary>
    public static IEnumerable<V1ReplicaSet> Owned(RolloutObject obj, IEnumerable<V1ReplicaSet> replicaSets) => replicaSets.Where(rs =>
        rs.Metadata.NamespaceProperty == obj.Metadata.NamespaceProperty
        && rs.Metadata.DeletionTimestamp is null
        && rs.Metadata.OwnerReferences?.Any(o => o.Controller == true && o.Uid == obj.Metadata.Uid) == true);

    private void Create(RolloutObject obj, ReplicaSetState rs)
    {
        var ns = obj.Metadata.NamespaceProperty;
        var hash = rs.CopiedAnnotations.ContainsKey(Annotations.Experiment) ? rs.Template.Hash : rs.Name[(rs.Name.LastIndexOf('-') + 1)..];
        var rollout = ToRollout(obj);
        var template = PodTemplateHasher.WithHashLabel(rs.Template.Spec, hash);
        var selector = rs.CopiedAnnotations.ContainsKey(Annotations.Experiment)
            // An experiment's template may have labels of its own, which the rollout's selector does not match: it selects them all.
            ? new V1LabelSelector { MatchLabels = new Dictionary<string, string>(template.Metadata!.Labels) }
            : new V1LabelSelector
            {
                MatchLabels = new Dictionary<string, string>(rollout.Spec.Selector.MatchLabels ?? new Dictionary<string, string>()) { [Annotations.PodTemplateHashLabel] = hash },
                MatchExpressions = rollout.Spec.Selector.MatchExpressions,
            };
        var body = new V1ReplicaSet
        {
            Metadata = new V1ObjectMeta
            {
                Name = rs.Name,
                NamespaceProperty = ns,
                Labels = new Dictionary<string, string>(template.Metadata?.Labels ?? new Dictionary<string, string>()),
                Annotations = ReplicaSetAnnotations(rs.CopiedAnnotations, rs.Revision, rs.RevisionHistory, rs.DesiredReplicasAnnotation, rs.MaxReplicasAnnotation)
                    .ToDictionary(a => a.Key, a => a.Value),
                OwnerReferences = [Owner(obj)],
            },
            Spec = new V1ReplicaSetSpec
            {
                Replicas = rs.Replicas,
                MinReadySeconds = rollout.Spec.MinReadySeconds,
                Selector = selector,
                Template = template,
            },
        };
        try
        {
            replicaSets.Put(Call(() => client.AppsV1.CreateNamespacedReplicaSetAsync(body, ns)));
        }
        catch (HttpOperationException e) when (e.Response?.StatusCode == HttpStatusCode.Conflict)
        {
            // Made by an earlier pass whose answer was lost (or an operator killed after writing it): ours if we control it.
            var existing = Call(() => client.AppsV1.ReadNamespacedReplicaSetAsync(rs.Name, ns));
            if (existing.Metadata.OwnerReferences?.Any(o => o.Controller == true && o.Uid == obj.Metadata.Uid) != true)
            {
                throw new InvalidOperationException($"replicaset {ns}/{rs.Name} exists and is not controlled by rollout {obj.Metadata.Name}");
            }

            replicaSets.Put(existing);
        }
    }

    private static SortedDictionary<string, string> ReplicaSetAnnotations(
        IReadOnlyDictionary<string, string> copied, long revision, string? history, int? desired, int? max)
    {
        var annotations = new SortedDictionary<string, string>(copied.ToDictionary(a => a.Key, a => a.Value), StringComparer.Ordinal)
        {
            [Annotations.Revision] = Text(revision),
        };
        if (history is not null)
        {
            annotations[Annotations.RevisionHistory] = history;
        }

        if (desired is { } d)
        {
            annotations[Annotations.DesiredReplicas] = Text(d);
        }

        if (max is { } m)
        {
            annotations[Annotations.MaxReplicas] = Text(m);
        }

        return annotations;
    }

    private void PatchReplicaSet(string ns, string name, JsonObject patch) =>
        replicaSets.Put(Call(() => client.AppsV1.PatchNamespacedReplicaSetAsync(new V1Patch(patch.ToJsonString(), V1Patch.PatchType.MergePatch), name, ns)));

    private void Record(RolloutObject obj, RecordEvent recorded, DateTimeOffset now)
    {
        var ns = obj.Metadata.NamespaceProperty;
        var body = new Corev1Event
        {
            Metadata = new V1ObjectMeta { GenerateName = obj.Metadata.Name + ".", NamespaceProperty = ns },
            InvolvedObject = new V1ObjectReference
            {
                ApiVersion = obj.ApiVersion,
                Kind = obj.Kind,
                Name = obj.Metadata.Name,
                NamespaceProperty = ns,
                Uid = obj.Metadata.Uid,
                ResourceVersion = obj.Metadata.ResourceVersion,
            },
            Type = recorded.Type,
            Reason = recorded.EventReason,
            Message = recorded.Message,
            Source = new V1EventSource { Component = Component },
            ReportingComponent = Component,
            ReportingInstance = identity,
            FirstTimestamp = now.UtcDateTime,
            LastTimestamp = now.UtcDateTime,
            Count = 1,
        };
        Call(() => client.CoreV1.CreateNamespacedEventAsync(body, ns));
    }

    private static string? Value(IDictionary<string, string>? map, string key) => map is not null && map.TryGetValue(key, out var value) ? value : null;

    private static string Group(RolloutObject obj) => obj.ApiVersion.Split('/')[0];

    private static string Text(long value) => value.ToString(CultureInfo.InvariantCulture);

    /// <summary>The planner's platform is synchronous: each write waits for the API server's answer.</summary>
    private static T Call<T>(Func<Task<T>> call) => call().GetAwaiter().GetResult();
}

/// <summary>The rollout changed since it was read (409 on its status): read it again and plan again.</summary>
internal sealed class StaleRolloutException(string rollout) : Exception($"rollout {rollout} changed since it was read");

/// <summary>The rollout's spec does not validate; the message names each field.</summary>
internal sealed class InvalidRolloutException(string message) : Exception(message);
