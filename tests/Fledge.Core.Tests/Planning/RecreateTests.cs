using Fledge.Core.Planning;
using Fledge.Core.Rollouts;

namespace Fledge.Core.Tests.Planning;

public sealed class RecreateTests
{
    [Fact]
    public void Plan_OldReplicaSetActive_ScalesItToZeroAndCreatesNothing()
    {
        var plan = Given.Plan(Given.Rollout(replicas: 5, type: StrategyType.Recreate), Given.ReplicaSet("web:v1", 5, 1));

        plan.Scales().ShouldBe([("web-web-v1", 5, 0)]);
        plan.Actions.OfType<CreateReplicaSet>().ShouldBeEmpty();
    }

    [Fact]
    public void Plan_OldReplicasStillRunning_WaitsBeforeCreatingNew()
    {
        var plan = Given.Plan(Given.Rollout(replicas: 5, type: StrategyType.Recreate), Given.ReplicaSet("web:v1", 0, 1, observed: 2, available: 2));

        plan.Actions.OfType<CreateReplicaSet>().ShouldBeEmpty();
        plan.Scales().ShouldBeEmpty();
    }

    [Fact]
    public void Plan_OldReplicasTerminating_WaitsBeforeCreatingNew()
    {
        var terminating = Given.ReplicaSet("web:v1", 0, 1, observed: 0, available: 0) with { TerminatingReplicas = 1 };

        Given.Plan(Given.Rollout(replicas: 5, type: StrategyType.Recreate), terminating).Actions.OfType<CreateReplicaSet>().ShouldBeEmpty();
    }

    [Fact]
    public void Plan_OldReplicasGone_CreatesNewAtFullSize()
    {
        var plan = Given.Plan(Given.Rollout(replicas: 5, type: StrategyType.Recreate), Given.ReplicaSet("web:v1", 0, 1, observed: 0, available: 0));

        var create = plan.Actions.OfType<CreateReplicaSet>().ShouldHaveSingleItem();
        create.ReplicaSet.Replicas.ShouldBe(5);
        create.ReplicaSet.Revision.ShouldBe(2);
    }
}
