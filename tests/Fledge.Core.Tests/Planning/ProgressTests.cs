using System.Collections.Immutable;
using Fledge.Core.Planning;
using Fledge.Core.Rollouts;

namespace Fledge.Core.Tests.Planning;

public sealed class ProgressTests
{
    private static RolloutStatus Progressing(string reason, DateTimeOffset lastUpdate, ConditionStatus status = ConditionStatus.True) =>
        RolloutStatus.Empty with
        {
            ObservedGeneration = 1,
            Replicas = 11,
            UpdatedReplicas = 1,
            ReadyReplicas = 10,
            AvailableReplicas = 10,
            UnavailableReplicas = 1,
            Conditions =
            [
                new RolloutCondition(ConditionTypes.Available, ConditionStatus.True, ConditionReasons.MinimumReplicasAvailable,
                    "Deployment has minimum availability.", lastUpdate, lastUpdate),
                new RolloutCondition(ConditionTypes.Progressing, status, reason, "", lastUpdate, lastUpdate),
            ],
        };

    private static RolloutPlan PlanAt(Rollout rollout, DateTimeOffset now) => Planner.Plan(new RolloutSnapshot(rollout,
        [Given.ReplicaSet("web:v1", 10, 1), Given.ReplicaSet("web:v2", 1, 2, available: 0, createdSecond: 10)], now));

    [Fact]
    public void Plan_NoProgressWithinDeadline_RequeuesOneSecondAfterDeadline()
    {
        var rollout = Given.Rollout(maxSurge: "1", maxUnavailable: "0", status: Progressing(ConditionReasons.ReplicaSetUpdated, Given.T0));

        var plan = PlanAt(rollout, Given.T0.AddSeconds(200));

        plan.Actions.OfType<UpdateRolloutStatus>().ShouldBeEmpty();
        plan.RequeueAfter.ShouldBe(TimeSpan.FromSeconds(401));
    }

    [Fact]
    public void Plan_NoProgressPastDeadline_SetsProgressDeadlineExceeded()
    {
        var rollout = Given.Rollout(maxSurge: "1", maxUnavailable: "0", status: Progressing(ConditionReasons.ReplicaSetUpdated, Given.T0));

        var plan = PlanAt(rollout, Given.T0.AddSeconds(601));

        var condition = plan.WrittenStatus().Condition(ConditionTypes.Progressing)!;
        condition.Status.ShouldBe(ConditionStatus.False);
        condition.Reason.ShouldBe(ConditionReasons.ProgressDeadlineExceeded);
        condition.Message.ShouldBe("ReplicaSet \"web-web-v2\" has timed out progressing.");
        plan.RequeueAfter.ShouldBeNull();
    }

    [Fact]
    public void Plan_ExactlyAtDeadline_HasNotTimedOut()
    {
        var rollout = Given.Rollout(maxSurge: "1", maxUnavailable: "0", status: Progressing(ConditionReasons.ReplicaSetUpdated, Given.T0));

        PlanAt(rollout, Given.T0.AddSeconds(600)).Actions.OfType<UpdateRolloutStatus>().ShouldBeEmpty();
    }

    [Fact]
    public void Plan_ProgressMade_ResetsClockAndKeepsTransitionTime()
    {
        var status = Progressing(ConditionReasons.ReplicaSetUpdated, Given.T0) with { AvailableReplicas = 9 };
        var rollout = Given.Rollout(maxSurge: "1", maxUnavailable: "0", status: status);
        var now = Given.T0.AddSeconds(500);

        var condition = PlanAt(rollout, now).WrittenStatus().Condition(ConditionTypes.Progressing)!;

        condition.Reason.ShouldBe(ConditionReasons.ReplicaSetUpdated);
        condition.LastUpdateTime.ShouldBe(now);
        condition.LastTransitionTime.ShouldBe(Given.T0);
    }

    [Fact]
    public void Plan_NoDeadline_RemovesProgressingCondition()
    {
        var rollout = Given.Rollout(maxSurge: "1", maxUnavailable: "0", progressDeadlineSeconds: null,
            status: Progressing(ConditionReasons.ReplicaSetUpdated, Given.T0));

        var plan = PlanAt(rollout, Given.T0.AddHours(5));

        plan.WrittenStatus().Condition(ConditionTypes.Progressing).ShouldBeNull();
        plan.RequeueAfter.ShouldBeNull();
    }

    [Fact]
    public void Plan_Paused_SetsDeploymentPausedAndCreatesNoReplicaSet()
    {
        var rollout = Given.Rollout(paused: true, status: Progressing(ConditionReasons.NewReplicaSetAvailable, Given.T0));

        var plan = Planner.Plan(new RolloutSnapshot(rollout, [Given.ReplicaSet("web:v1", 10, 1)], Given.T0.AddSeconds(5)));

        plan.Actions.OfType<CreateReplicaSet>().ShouldBeEmpty();
        var condition = plan.WrittenStatus().Condition(ConditionTypes.Progressing)!;
        condition.Status.ShouldBe(ConditionStatus.Unknown);
        condition.Reason.ShouldBe(ConditionReasons.DeploymentPaused);
    }

    [Fact]
    public void Plan_Resumed_SetsDeploymentResumedWhichRestartsTheClock()
    {
        var now = Given.T0.AddSeconds(900);
        var rollout = Given.Rollout(maxSurge: "1", maxUnavailable: "0",
            status: Progressing(ConditionReasons.DeploymentPaused, Given.T0, ConditionStatus.Unknown));

        var condition = PlanAt(rollout, now).WrittenStatus().Condition(ConditionTypes.Progressing)!;

        condition.Reason.ShouldBe(ConditionReasons.DeploymentResumed);
        condition.LastUpdateTime.ShouldBe(now);
    }

    [Fact]
    public void Plan_TimedOutThenPaused_KeepsProgressDeadlineExceeded()
    {
        var status = Progressing(ConditionReasons.ProgressDeadlineExceeded, Given.T0, ConditionStatus.False);
        var rollout = Given.Rollout(paused: true, status: status);

        var plan = Planner.Plan(new RolloutSnapshot(rollout, [Given.ReplicaSet("web:v1", 10, 1)], Given.T0.AddSeconds(5)));

        var conditions = plan.Actions.OfType<UpdateRolloutStatus>().SingleOrDefault()?.Status.Conditions ?? status.Conditions;
        conditions.Single(c => c.Type == ConditionTypes.Progressing).Reason.ShouldBe(ConditionReasons.ProgressDeadlineExceeded);
    }

    [Fact]
    public void Plan_ExistingNewReplicaSetWithoutCondition_RecordsFoundNewReplicaSet()
    {
        var rollout = Given.Rollout(status: RolloutStatus.Empty with
        {
            ObservedGeneration = 1,
            Replicas = 10,
            UpdatedReplicas = 10,
            UnavailableReplicas = 10,
            Conditions = ImmutableArray<RolloutCondition>.Empty,
        });

        var plan = Given.Plan(rollout, Given.ReplicaSet("web:v2", 10, 1, available: 0));

        var condition = plan.WrittenStatus().Condition(ConditionTypes.Progressing)!;
        condition.Reason.ShouldBe(ConditionReasons.FoundNewReplicaSet);
        condition.Message.ShouldBe("Found new replica set \"web-web-v2\"");
    }
}
