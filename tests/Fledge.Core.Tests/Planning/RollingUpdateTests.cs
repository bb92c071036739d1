using Fledge.Core.Planning;
using Fledge.Core.Rollouts;

namespace Fledge.Core.Tests.Planning;

public sealed class RollingUpdateTests
{
    [Fact]
    public void Plan_NoReplicaSets_CreatesRevisionOneAtDesiredSize()
    {
        var plan = Given.Plan(Given.Rollout(replicas: 10));

        var create = plan.Actions.OfType<CreateReplicaSet>().ShouldHaveSingleItem();
        create.ReplicaSet.Revision.ShouldBe(1);
        create.ReplicaSet.Replicas.ShouldBe(10);
        create.ReplicaSet.Name.ShouldStartWith("web-");
        create.ReplicaSet.Template.Spec.Metadata.Labels["pod-template-hash"].ShouldBe(create.ReplicaSet.Name["web-".Length..]);
        plan.WrittenStatus().Condition(ConditionTypes.Progressing)!.Reason.ShouldBe(ConditionReasons.NewReplicaSetCreated);
        plan.Actions.OfType<SetRolloutRevision>().ShouldHaveSingleItem().Revision.ShouldBe(1);
    }

    [Fact]
    public void Plan_NewTemplate_CreatesNewReplicaSetWithinSurgeThenScalesOldWithinUnavailable()
    {
        // Creating is not a scaling move in the controller: the same pass goes on to reconcile the old
        // replica sets, and 13 - minAvailable 8 - 3 new unavailable = 2 old replicas may go.
        var plan = Given.Plan(Given.Rollout(replicas: 10), Given.ReplicaSet("web:v1", 10, 1));

        plan.Actions.OfType<CreateReplicaSet>().ShouldHaveSingleItem().ReplicaSet.Replicas.ShouldBe(3);
        plan.Scales().ShouldBe([("web-web-v1", 10, 8)]);
    }

    [Fact]
    public void Plan_NewReplicaSetScaledUp_DoesNotScaleOldInSamePass()
    {
        var plan = Given.Plan(Given.Rollout(replicas: 10),
            Given.ReplicaSet("web:v1", 8, 1),
            Given.ReplicaSet("web:v2", 3, 2, createdSecond: 10));

        plan.Scales().ShouldBe([("web-web-v2", 3, 5)]);
    }

    [Fact]
    public void Plan_NewReplicasNotYetAvailable_ScalesOldDownOnlyToMinAvailable()
    {
        var plan = Given.Plan(Given.Rollout(replicas: 10),
            Given.ReplicaSet("web:v1", 10, 1),
            Given.ReplicaSet("web:v2", 3, 2, available: 0, createdSecond: 10));

        plan.Scales().ShouldBe([("web-web-v1", 10, 8)]);
    }

    [Fact]
    public void Plan_UnhealthyOldReplicas_AreRemovedFirstThenHealthyOnesWithinBudget()
    {
        // 13 replicas, minAvailable 8: the 2 unavailable v0 replicas go first (they count against nothing),
        // then available ones down to 8 available: 11 available - 8 = 3 from v1.
        var plan = Given.Plan(Given.Rollout(replicas: 10),
            Given.ReplicaSet("web:v0", 2, 1, available: 0, createdSecond: 0),
            Given.ReplicaSet("web:v1", 8, 2, createdSecond: 5),
            Given.ReplicaSet("web:v2", 3, 3, createdSecond: 10));

        plan.Scales().ShouldBe([("web-web-v0", 2, 0), ("web-web-v1", 8, 5)]);
    }

    [Fact]
    public void Plan_NewReplicasAvailable_ScalesOldDownByAvailabilityBudget()
    {
        var plan = Given.Plan(Given.Rollout(replicas: 10, maxSurge: "20%", maxUnavailable: "0"),
            Given.ReplicaSet("web:v1", 10, 1),
            Given.ReplicaSet("web:v2", 2, 2, createdSecond: 10));

        plan.Scales().ShouldBe([("web-web-v1", 10, 8)]);
    }

    [Fact]
    public void Plan_MaxUnavailableZeroAndNewUnavailable_WaitsWithoutScaling()
    {
        var plan = Given.Plan(Given.Rollout(replicas: 10, maxSurge: "20%", maxUnavailable: "0"),
            Given.ReplicaSet("web:v1", 10, 1),
            Given.ReplicaSet("web:v2", 2, 2, available: 0, createdSecond: 10));

        plan.Scales().ShouldBeEmpty();
    }

    [Fact]
    public void Plan_NewReplicaSetAboveDesired_ScalesItDown()
    {
        var plan = Given.Plan(Given.Rollout(replicas: 3), Given.ReplicaSet("web:v2", 5, 1));

        plan.Scales().ShouldBe([("web-web-v2", 5, 3)]);
    }

    [Fact]
    public void Plan_AllUpdatedAndAvailable_MarksNewReplicaSetAvailable()
    {
        var status = RolloutStatus.Empty with { ObservedGeneration = 1, Replicas = 10, UpdatedReplicas = 9, AvailableReplicas = 9 };
        var plan = Given.Plan(Given.Rollout(replicas: 10, status: status), Given.ReplicaSet("web:v1", 0, 1), Given.ReplicaSet("web:v2", 10, 2));

        var progressing = plan.WrittenStatus().Condition(ConditionTypes.Progressing)!;
        progressing.Status.ShouldBe(ConditionStatus.True);
        progressing.Reason.ShouldBe(ConditionReasons.NewReplicaSetAvailable);
        plan.WrittenStatus().Condition(ConditionTypes.Available)!.Reason.ShouldBe(ConditionReasons.MinimumReplicasAvailable);
    }

    [Fact]
    public void Plan_StatusCounts_FollowReplicaSets()
    {
        // v1 loses 3 of its 4 unavailable replicas in this pass (13 - 8 - 2 = 3 may go); status counts the
        // replicas observed (13), and unavailable as asked-for replicas (10) minus available ones (7).
        var plan = Given.Plan(Given.Rollout(replicas: 10),
            Given.ReplicaSet("web:v1", 10, 1, available: 6),
            Given.ReplicaSet("web:v2", 3, 2, available: 1, createdSecond: 10));

        plan.Scales().ShouldBe([("web-web-v1", 10, 7)]);
        var status = plan.WrittenStatus();
        status.Replicas.ShouldBe(13);
        status.UpdatedReplicas.ShouldBe(3);
        status.AvailableReplicas.ShouldBe(7);
        status.UnavailableReplicas.ShouldBe(3);
        status.Condition(ConditionTypes.Available)!.Reason.ShouldBe(ConditionReasons.MinimumReplicasUnavailable);
    }
}
