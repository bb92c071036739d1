using System.Collections.Immutable;
using Fledge.Core.Planning;
using Fledge.Core.Rollouts;
using k8s.Models;

namespace Fledge.Benchmarks;

/// <summary>Snapshots for the planner benchmarks: a rollout mid-update with a given number of old revisions.</summary>
internal static class Rollouts
{
    public static readonly DateTimeOffset T0 = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    public static PodTemplate Template(string image) => PodTemplate.From(new V1PodTemplateSpec
    {
        Metadata = new V1ObjectMeta { Labels = new Dictionary<string, string> { ["app"] = "web" } },
        Spec = new V1PodSpec { Containers = [new V1Container { Name = "web", Image = image }] },
    });

    public static Rollout Rollout(PodTemplate template, RolloutStatus status) => new(
        "web", "default", "Rollout", 2,
        ImmutableSortedDictionary<string, string>.Empty.Add(Annotations.Revision, "100000"),
        new RolloutSpec(10, new V1LabelSelector { MatchLabels = new Dictionary<string, string> { ["app"] = "web" } }, template,
            new RolloutStrategy(StrategyType.RollingUpdate, IntOrPercent.Percent(25), IntOrPercent.Percent(25)), 0, 600, null, false),
        status);

    /// <summary>
    /// History of <paramref name="history"/> revisions: the oldest scaled to zero, then an old one with 8
    /// replicas and the new one with 5, of which <paramref name="newAvailable"/> are available. With none
    /// available the pass waits (the pass a controller repeats most); with 3 it scales the old one down.
    /// </summary>
    public static RolloutSnapshot MidRollout(int history, PodTemplate? newTemplate = null, PodTemplate? oldTemplate = null, int newAvailable = 0)
    {
        newTemplate ??= Template("web:new");
        oldTemplate ??= Template("web:old");
        var sets = ImmutableArray.CreateBuilder<ReplicaSetState>(history + 1);
        for (var i = 0; i < history - 1; i++)
        {
            sets.Add(new ReplicaSetState($"web-{i}", oldTemplate with { Key = oldTemplate.Key + i }, T0.AddSeconds(i), i + 1, 0,
                DesiredReplicasAnnotation: 10, MaxReplicasAnnotation: 13));
        }

        sets.Add(new ReplicaSetState("web-old", oldTemplate, T0.AddSeconds(history), history, 8, 8, 8, 8,
            DesiredReplicasAnnotation: 10, MaxReplicasAnnotation: 13));
        sets.Add(new ReplicaSetState("web-new", newTemplate, T0.AddSeconds(history + 1), 100000, 5, 5, newAvailable, newAvailable,
            DesiredReplicasAnnotation: 10, MaxReplicasAnnotation: 13));
        var snapshot = new RolloutSnapshot(Rollout(newTemplate, RolloutStatus.Empty), sets.ToImmutable(), T0.AddMinutes(1));

        // Settle the status once so that the measured pass does not also rewrite it.
        var status = Planner.Plan(snapshot).Actions.OfType<UpdateRolloutStatus>().Last().Status;
        return snapshot with { Rollout = snapshot.Rollout with { Status = status } };
    }
}
