using System.Collections.Immutable;
using Fledge.Core.Planning;
using Fledge.Core.Rollouts;

namespace Fledge.Core.Tests.Planning;

public sealed class ProportionalScalingTests
{
    [Fact]
    public void Plan_ReplicasRaisedMidRollout_SpreadsNewReplicasInProportion()
    {
        // 10 desired (13 allowed) split 8 old / 5 new; scaled to 15 (19 allowed): old +4, new +2.
        var plan = Given.Plan(Given.Rollout(replicas: 15),
            Given.ReplicaSet("web:v1", 8, 1, desiredAnnotation: 10, maxAnnotation: 13),
            Given.ReplicaSet("web:v2", 5, 2, available: 0, createdSecond: 10, desiredAnnotation: 10, maxAnnotation: 13));

        plan.Scales().OrderBy(s => s.Name).ShouldBe([("web-web-v1", 8, 12), ("web-web-v2", 5, 7)]);
    }

    [Fact]
    public void Plan_ReplicasLoweredMidRollout_RemovesInProportion()
    {
        // 10 desired (13 allowed) split 8 / 5; scaled to 5 (surge 2: 7 allowed): toAdd -6.
        // old: round(8*7/13)=4 -> -4; new: round(5*7/13)=3 -> -2.
        var plan = Given.Plan(Given.Rollout(replicas: 5),
            Given.ReplicaSet("web:v1", 8, 1, desiredAnnotation: 10, maxAnnotation: 13),
            Given.ReplicaSet("web:v2", 5, 2, available: 0, createdSecond: 10, desiredAnnotation: 10, maxAnnotation: 13));

        plan.Scales().OrderBy(s => s.Name).ShouldBe([("web-web-v1", 8, 4), ("web-web-v2", 5, 3)]);
    }

    [Theory]
    // replicas now, rs size, max-replicas annotation -> fraction (Go rounds halves away from zero)
    [InlineData(4, 1, 2, 2)]  // 1*5/2 = 2.5 -> 3, banker's rounding would give 2
    [InlineData(4, 3, 2, 5)]  // 3*5/2 = 7.5 -> 8
    [InlineData(4, 1, 0, 0)]  // no annotation and no status replicas: no share
    [InlineData(0, 3, 5, -3)] // scaled to zero: everything goes
    public void Fraction_RoundsHalvesAwayFromZero(int replicas, int size, int maxAnnotation, int expected)
    {
        var rollout = Given.Rollout(replicas: replicas);
        var rs = Given.ReplicaSet("web:v1", size, 1, maxAnnotation: maxAnnotation == 0 ? null : maxAnnotation);
        var pass = new Pass(new RolloutSnapshot(rollout, [rs], Given.T0));

        ProportionalScaling.Fraction(pass, rs).ShouldBe(expected);
    }

    [Fact]
    public void Plan_OnlyOneActiveReplicaSet_ScalesItToDesired()
    {
        var plan = Given.Plan(Given.Rollout(replicas: 7, image: "web:v1"), Given.ReplicaSet("web:v1", 3, 1, desiredAnnotation: 3, maxAnnotation: 4));

        plan.Scales().ShouldBe([("web-web-v1", 3, 7)]);
    }

    [Fact]
    public void Plan_PausedWithSaturatedNewReplicaSet_ScalesOldToZero()
    {
        var plan = Given.Plan(Given.Rollout(replicas: 4, paused: true),
            Given.ReplicaSet("web:v1", 2, 1, desiredAnnotation: 4, maxAnnotation: 5),
            Given.ReplicaSet("web:v2", 4, 2, createdSecond: 10, desiredAnnotation: 4, maxAnnotation: 5));

        plan.Scales().ShouldBe([("web-web-v1", 2, 0)]);
    }

    [Fact]
    public void Plan_PausedAndScaled_ScalesProportionallyButCreatesNoReplicaSet()
    {
        var plan = Given.Plan(Given.Rollout(replicas: 15, image: "web:v3", paused: true),
            Given.ReplicaSet("web:v1", 8, 1, desiredAnnotation: 10, maxAnnotation: 13),
            Given.ReplicaSet("web:v2", 5, 2, createdSecond: 10, desiredAnnotation: 10, maxAnnotation: 13));

        plan.Actions.OfType<CreateReplicaSet>().ShouldBeEmpty();
        plan.Scales().OrderBy(s => s.Name).ShouldBe([("web-web-v1", 8, 12), ("web-web-v2", 5, 7)]);
    }

    [Fact]
    public void Plan_ScalingEvent_WritesAnnotationsWithTheNewSizes()
    {
        var plan = Given.Plan(Given.Rollout(replicas: 15),
            Given.ReplicaSet("web:v1", 8, 1, desiredAnnotation: 10, maxAnnotation: 13),
            Given.ReplicaSet("web:v2", 5, 2, available: 0, createdSecond: 10, desiredAnnotation: 10, maxAnnotation: 13));

        plan.Actions.OfType<ScaleReplicaSet>().ShouldAllBe(s => s.DesiredReplicas == 15 && s.MaxReplicas == 19);
        _ = ImmutableArray<int>.Empty;
    }
}
