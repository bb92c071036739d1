using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using Fledge.Core.Rollouts;

namespace Fledge.Kubernetes;

/// <summary>
/// A rollout's status as the operator writes it to the status subresource: the Deployment's fields (replicas,
/// conditions...), Argo's phase and message, the canary's state, and the selector the scale subresource reads; and
/// back again into the planner's <see cref="RolloutStatus"/>.
/// </summary>
internal static class StatusJson
{
    private static readonly JsonSerializerOptions Options = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        Converters = { new JsonStringEnumConverter() },
    };

    public static JsonObject ToNode(RolloutStatus status, Rollout rollout)
    {
        var node = JsonSerializer.SerializeToNode(status, Options)!.AsObject();
        node["phase"] = Phase(status, rollout);
        node["selector"] = string.Join(",", (rollout.Spec.Selector.MatchLabels ?? new Dictionary<string, string>()).Select(l => $"{l.Key}={l.Value}"));
        if (status.Canary?.Message is { Length: > 0 } message)
        {
            node["message"] = message;
        }

        return node;
    }

    public static RolloutStatus FromNode(JsonObject? node)
    {
        if (node is null || node.Count == 0)
        {
            return RolloutStatus.Empty;
        }

        try
        {
            var copy = node.DeepClone().AsObject();
            copy.Remove("phase");
            copy.Remove("selector");
            copy.Remove("message");
            return copy.Deserialize<RolloutStatus>(Options) ?? RolloutStatus.Empty;
        }
        catch (JsonException)
        {
            // A status someone else wrote: the planner starts from nothing and writes its own.
            return RolloutStatus.Empty;
        }
    }

    /// <summary>Argo's phase: the canary's, or for a Deployment-style rollout what its conditions say.</summary>
    public static string Phase(RolloutStatus status, Rollout rollout)
    {
        if (status.Canary is { } canary)
        {
            return canary.Phase;
        }

        if (rollout.Spec.Paused)
        {
            return RolloutPhases.Paused;
        }

        var progressing = status.Condition(ConditionTypes.Progressing);
        if (progressing is { Status: ConditionStatus.False })
        {
            return RolloutPhases.Degraded;
        }

        return status.ObservedGeneration >= rollout.Generation && status.UpdatedReplicas == rollout.Spec.Replicas
            && status.AvailableReplicas == rollout.Spec.Replicas && status.Replicas == rollout.Spec.Replicas
            ? RolloutPhases.Healthy
            : RolloutPhases.Progressing;
    }
}
