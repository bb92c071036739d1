using Fledge.Core.Planning;
using Fledge.Core.Rollouts;

namespace Fledge.Core.Tests.Planning;

public sealed class FencepostsTests
{
    [Theory]
    [InlineData("25%", "25%", 10, 3, 2)]
    [InlineData("25%", "25%", 4, 1, 1)]
    [InlineData("0", "0", 10, 0, 1)]
    [InlineData("0%", "0%", 10, 0, 1)]
    [InlineData("1%", "1%", 10, 1, 0)]
    [InlineData("0", "1%", 10, 0, 1)]
    [InlineData("20%", "0", 10, 2, 0)]
    [InlineData("1", "1", 5, 1, 1)]
    [InlineData("0", "50%", 4, 0, 2)]
    public void Resolve_SurgeAndUnavailable_RoundAndAvoidBothZero(string surge, string unavailable, int desired, int expectedSurge, int expectedUnavailable)
    {
        IntOrPercent.TryParse(surge, out var s).ShouldBeTrue();
        IntOrPercent.TryParse(unavailable, out var u).ShouldBeTrue();
        Fenceposts.Resolve(s, u, desired).ShouldBe((expectedSurge, expectedUnavailable));
    }

    [Theory]
    [InlineData(10, "25%", "25%", 2)]
    [InlineData(0, "25%", "25%", 0)]
    [InlineData(2, "0", "5", 2)]
    [InlineData(4, "0", "100%", 4)]
    public void MaxUnavailable_RollingUpdate_IsCappedAtDesired(int replicas, string surge, string unavailable, int expected) =>
        Fenceposts.MaxUnavailable(Given.Rollout(replicas: replicas, maxSurge: surge, maxUnavailable: unavailable).Spec).ShouldBe(expected);

    [Fact]
    public void MaxSurgeAndUnavailable_Recreate_AreZero()
    {
        var spec = Given.Rollout(type: StrategyType.Recreate).Spec;
        Fenceposts.MaxSurge(spec).ShouldBe(0);
        Fenceposts.MaxUnavailable(spec).ShouldBe(0);
        Fenceposts.MinAvailable(spec).ShouldBe(10);
    }

    [Theory]
    // desired, surge, new spec, old spec -> new size
    [InlineData(10, "20%", 0, 10, 2)]
    [InlineData(10, "20%", 2, 8, 4)]
    [InlineData(10, "20%", 2, 10, 2)]
    [InlineData(10, "20%", 9, 2, 10)]
    [InlineData(5, "1", 0, 5, 1)]
    [InlineData(4, "0", 0, 2, 2)]
    [InlineData(3, "100%", 0, 3, 3)]
    public void NewReplicaSetReplicas_RollingUpdate_GrowsWithinSurge(int desired, string surge, int newSize, int oldSize, int expected)
    {
        var spec = Given.Rollout(replicas: desired, maxSurge: surge, maxUnavailable: "0").Spec;
        var newRs = Given.ReplicaSet("web:v2", newSize, 2);
        var oldRs = Given.ReplicaSet("web:v1", oldSize, 1);
        Fenceposts.NewReplicaSetReplicas(spec, [oldRs, newRs], newRs).ShouldBe(expected);
    }

    [Fact]
    public void NewReplicaSetReplicas_Recreate_IsDesired()
    {
        var spec = Given.Rollout(replicas: 7, type: StrategyType.Recreate).Spec;
        var newRs = Given.ReplicaSet("web:v2", 0, 2);
        Fenceposts.NewReplicaSetReplicas(spec, [newRs], newRs).ShouldBe(7);
    }
}
