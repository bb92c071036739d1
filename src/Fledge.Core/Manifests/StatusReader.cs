using System.Collections.Immutable;
using Fledge.Core.Rollouts;
using k8s.Models;

namespace Fledge.Core.Manifests;

/// <summary>Reads a Deployment status as `kubectl get -o yaml` prints it.</summary>
internal static class StatusReader
{
    public static RolloutStatus Read(V1DeploymentStatus? status)
    {
        if (status is null)
        {
            return RolloutStatus.Empty;
        }

        var conditions = (status.Conditions ?? [])
            .Select(c => new RolloutCondition(
                c.Type,
                Enum.TryParse<ConditionStatus>(c.Status, out var parsed) ? parsed : ConditionStatus.Unknown,
                c.Reason ?? "",
                c.Message ?? "",
                Time(c.LastUpdateTime ?? c.LastTransitionTime),
                Time(c.LastTransitionTime ?? c.LastUpdateTime)))
            .ToImmutableArray();
        return new RolloutStatus(
            status.ObservedGeneration ?? 0,
            status.Replicas ?? 0,
            status.UpdatedReplicas ?? 0,
            status.ReadyReplicas ?? 0,
            status.AvailableReplicas ?? 0,
            status.UnavailableReplicas ?? 0,
            status.CollisionCount ?? 0,
            conditions);
    }

    public static DateTimeOffset Time(DateTime? time) =>
        time is { } t ? new DateTimeOffset(DateTime.SpecifyKind(t, DateTimeKind.Utc)) : DateTimeOffset.UnixEpoch;
}
