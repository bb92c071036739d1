using System.Collections.Immutable;
using Fledge.Core.Planning;
using Fledge.Core.Rollouts;
using k8s.Models;

namespace Fledge.Core.Tests;

/// <summary>Builders for planner tests: rollouts, replica sets and snapshots with readable defaults.</summary>
internal static class Given
{
    public static readonly DateTimeOffset T0 = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    public static PodTemplate Template(string image) => PodTemplate.From(new V1PodTemplateSpec
    {
        Metadata = new V1ObjectMeta { Labels = new Dictionary<string, string> { ["app"] = "web" } },
        Spec = new V1PodSpec { Containers = [new V1Container { Name = "web", Image = image }] },
    });

    public static Rollout Rollout(
        int replicas = 10,
        string image = "web:v2",
        string maxSurge = "25%",
        string maxUnavailable = "25%",
        StrategyType type = StrategyType.RollingUpdate,
        int? progressDeadlineSeconds = 600,
        int? revisionHistoryLimit = 10,
        bool paused = false,
        RolloutStatus? status = null,
        long generation = 1)
    {
        IntOrPercent.TryParse(maxSurge, out var surge).ShouldBeTrue();
        IntOrPercent.TryParse(maxUnavailable, out var unavailable).ShouldBeTrue();
        var strategy = type == StrategyType.Recreate ? RolloutStrategy.Recreate : new RolloutStrategy(type, surge, unavailable);
        var spec = new RolloutSpec(replicas, new V1LabelSelector { MatchLabels = new Dictionary<string, string> { ["app"] = "web" } },
            Template(image), strategy, 0, progressDeadlineSeconds, revisionHistoryLimit, paused);
        return new Rollout("web", "default", "Rollout", generation, ImmutableSortedDictionary<string, string>.Empty, spec,
            status ?? RolloutStatus.Empty with { ObservedGeneration = generation });
    }

    /// <summary>A replica set whose replicas all run; <paramref name="available"/> defaults to all of them.</summary>
    public static ReplicaSetState ReplicaSet(
        string image,
        int replicas,
        long revision,
        int? available = null,
        int createdSecond = 0,
        int? desiredAnnotation = null,
        int? maxAnnotation = null,
        int? observed = null) =>
        new($"web-{image.Replace(':', '-')}", Template(image), T0.AddSeconds(createdSecond), revision, replicas,
            ObservedReplicas: observed ?? replicas,
            ReadyReplicas: available ?? replicas,
            AvailableReplicas: available ?? replicas,
            DesiredReplicasAnnotation: desiredAnnotation,
            MaxReplicasAnnotation: maxAnnotation);

    public static RolloutPlan Plan(Rollout rollout, params ReplicaSetState[] replicaSets) =>
        Planner.Plan(new RolloutSnapshot(rollout, replicaSets.ToImmutableArray(), T0.AddMinutes(5)));

    public static IReadOnlyList<(string Name, int From, int To)> Scales(this RolloutPlan plan) =>
        plan.Actions.OfType<ScaleReplicaSet>().Select(s => (s.Name, s.From, s.To)).ToList();

    public static RolloutStatus WrittenStatus(this RolloutPlan plan) =>
        plan.Actions.OfType<UpdateRolloutStatus>().ShouldHaveSingleItem().Status;
}
