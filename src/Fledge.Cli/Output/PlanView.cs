using System.Text.Json.Serialization;
using Fledge.Core.Planning;
using Fledge.Core.Rollouts;

namespace Fledge.Cli.Output;

/// <summary>The JSON shape of `fledge plan`: the rollout, its actions in order, and when to look again.</summary>
internal sealed record PlanView(string Rollout, IReadOnlyList<ActionView> Actions, double? RequeueAfterSeconds)
{
    public static PlanView From(Rollout rollout, RolloutPlan plan) =>
        new(rollout.Name, plan.Actions.Select(ActionView.Of).ToList(), plan.RequeueAfter?.TotalSeconds);
}

/// <summary>One action as JSON; fields that do not apply to the action are left out.</summary>
internal sealed record ActionView(string Action, string Reason)
{
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? ReplicaSet { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public long? Revision { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Image { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    [JsonPropertyName("from")]
    public int? FromReplicas { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    [JsonPropertyName("to")]
    public int? ToReplicas { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public int? Replicas { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public StatusView? Status { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public int? Weight { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Type { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? EventReason { get; init; }

    public static ActionView Of(PlanAction action) => action switch
    {
        CreateReplicaSet create => new("create", create.Reason)
        {
            ReplicaSet = create.ReplicaSet.Name,
            Revision = create.ReplicaSet.Revision,
            Image = create.ReplicaSet.Template.Image,
            Replicas = create.ReplicaSet.Replicas,
        },
        ScaleReplicaSet scale => new("scale", scale.Reason) { ReplicaSet = scale.Name, FromReplicas = scale.From, ToReplicas = scale.To },
        AnnotateReplicaSet annotate => new("annotate", annotate.Reason) { ReplicaSet = annotate.Name, Revision = annotate.Revision },
        DeleteReplicaSet delete => new("delete", delete.Reason) { ReplicaSet = delete.Name, Revision = delete.Revision },
        SetRolloutRevision revision => new("revision", revision.Reason) { Revision = revision.Revision },
        SetTrafficWeight traffic => new("traffic", traffic.Reason) { ReplicaSet = traffic.CanaryReplicaSet, Weight = traffic.Weight },
        UpdateRolloutStatus status => new("status", status.Reason) { Status = StatusView.From(status.Status) },
        RecordEvent recorded => new("event", recorded.Message) { Type = recorded.Type, EventReason = recorded.EventReason },
        _ => new(action.GetType().Name, action.Reason),
    };
}

/// <summary>A rollout status as JSON, with the field names of a Deployment's status.</summary>
internal sealed record StatusView(
    long ObservedGeneration,
    int Replicas,
    int UpdatedReplicas,
    int ReadyReplicas,
    int AvailableReplicas,
    int UnavailableReplicas,
    IReadOnlyList<ConditionView> Conditions)
{
    public static StatusView From(RolloutStatus status) => new(
        status.ObservedGeneration, status.Replicas, status.UpdatedReplicas, status.ReadyReplicas, status.AvailableReplicas,
        status.UnavailableReplicas, status.Conditions.Select(ConditionView.From).ToList());
}

/// <summary>A condition as JSON.</summary>
internal sealed record ConditionView(string Type, string Status, string Reason, string Message, DateTimeOffset LastUpdateTime, DateTimeOffset LastTransitionTime)
{
    public static ConditionView From(RolloutCondition c) =>
        new(c.Type, c.Status.ToString(), c.Reason, c.Message, c.LastUpdateTime, c.LastTransitionTime);
}
