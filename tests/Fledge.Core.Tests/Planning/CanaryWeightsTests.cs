using System.Collections.Immutable;
using Fledge.Core.Planning;
using Fledge.Core.Rollouts;

namespace Fledge.Core.Tests.Planning;

public sealed class CanaryWeightsTests
{
    private static CanaryStrategy Strategy(params CanaryStep[] steps) =>
        new("web-canary", "web", [.. steps], IntOrPercent.Percent(25), IntOrPercent.Percent(25), 30, 30, TrafficRouted: false);

    [Theory]
    [InlineData(25, 5, 2)]
    [InlineData(20, 4, 1)]
    [InlineData(1, 10, 1)]
    [InlineData(0, 10, 0)]
    [InlineData(100, 7, 7)]
    [InlineData(50, 3, 2)]
    public void Share_RoundsUp(int weight, int replicas, int expected) => CanaryReplicaCounts.Share(replicas, weight).ShouldBe(expected);

    [Fact]
    public void WeightAt_IsTheLastSetWeightAtOrBeforeTheStep()
    {
        var canary = Strategy(new SetWeightStep(20), new PauseStep(null), new SetWeightStep(50), new PauseStep(TimeSpan.FromSeconds(30)));

        new[] { 0, 1, 2, 3, 9 }.Select(i => CanaryWeights.WeightAt(canary, i)).ShouldBe([20, 20, 50, 50, 50]);
        CanaryWeights.WeightAt(Strategy(new PauseStep(null)), 0).ShouldBe(0);
    }

    [Theory]
    [InlineData(0, 10, 2)]   // setWeight 20 of 10 replicas
    [InlineData(1, 10, 5)]   // setCanaryScale replicas 5 wins over the weight
    [InlineData(2, 10, 3)]   // setCanaryScale weight 30: 3 of 10
    [InlineData(3, 10, 2)]   // matchTrafficWeight: back to the weight's share
    public void CanaryScale_WinsOverTheWeightUntilMatchTrafficWeight(int index, int desired, int expected)
    {
        var canary = Strategy(new SetWeightStep(20), new SetCanaryScaleStep(5, null, false), new SetCanaryScaleStep(null, 30, false), new SetCanaryScaleStep(null, null, true));

        var (replicas, weight) = CanaryWeights.CanaryScale(canary, index);
        CanaryReplicaCounts.TrafficRouted(desired, weight ?? CanaryWeights.WeightAt(canary, index), replicas, null, dynamicStableScale: false)
            .Canary.ShouldBe(expected);
    }

    [Theory]
    [InlineData(3, 1, 25)]
    [InlineData(4, 0, 0)]
    [InlineData(0, 2, 100)]
    [InlineData(0, 0, 0)]
    [InlineData(1, 1, 50)]
    [InlineData(2, 1, 33)]
    public void ReplicaWeight_IsTheCanarysShareOfAvailableReplicas(int stableAvailable, int canaryAvailable, int expected)
    {
        var template = Given.Template("web:v1");
        var stable = new ReplicaSetState("stable", template, Given.T0, 1, stableAvailable, stableAvailable, stableAvailable, stableAvailable);
        var canary = new ReplicaSetState("canary", template, Given.T0, 2, canaryAvailable, canaryAvailable, canaryAvailable, canaryAvailable);

        CanaryWeights.ReplicaWeight(stable, canary).ShouldBe(expected);
    }
}
