using System.Collections.Immutable;
using System.Text.Json;
using System.Text.Json.Serialization;
using Fledge.Core.Rollouts;
using k8s;
using k8s.Models;

namespace Fledge.Local.Store;

/// <summary>A replica set as the store keeps it: what the planner decided, without the observed counts.</summary>
public sealed record StoredReplicaSet(
    string Name,
    string Template,
    DateTimeOffset CreatedAt,
    long Revision,
    int Replicas,
    int? DesiredReplicas,
    int? MaxReplicas,
    string? RevisionHistory,
    ImmutableSortedDictionary<string, string> Annotations)
{
    public static StoredReplicaSet From(ReplicaSetState rs) => new(
        rs.Name, KubernetesJson.Serialize(rs.Template.Spec), rs.CreatedAt, rs.Revision, rs.Replicas,
        rs.DesiredReplicasAnnotation, rs.MaxReplicasAnnotation, rs.RevisionHistory, rs.CopiedAnnotations);

    public ReplicaSetState ToState() => new(
        Name, PodTemplate.From(KubernetesJson.Deserialize<V1PodTemplateSpec>(Template)), CreatedAt, Revision, Replicas,
        DesiredReplicasAnnotation: DesiredReplicas, MaxReplicasAnnotation: MaxReplicas, RevisionHistory: RevisionHistory, Annotations: Annotations);
}

/// <summary>A replica's process as recorded when it started: the pid with its start time (which tell it from a later process with the same pid), its replica set and port.</summary>
public sealed record StoredProcess(string Pod, int Pid, long StartTicks, string ReplicaSet, int Port, DateTimeOffset StartedAt);

/// <summary>An event recorded on an object.</summary>
public sealed record StoredEvent(DateTimeOffset At, string Type, string Reason, string Message);

/// <summary>JSON settings of the store.</summary>
internal static class StoreJson
{
    public static JsonSerializerOptions Options { get; } = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
        Converters = { new JsonStringEnumConverter() },
    };
}
