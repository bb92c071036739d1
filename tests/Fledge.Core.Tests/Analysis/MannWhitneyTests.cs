using Fledge.Core.Analysis;

namespace Fledge.Core.Tests.Analysis;

public sealed class MannWhitneyTests
{
    private static double[] Normal(int count, double mean, double spread, int seed)
    {
        var random = new Random(seed);
        return Enumerable.Range(0, count).Select(_ =>
        {
            var u1 = 1.0 - random.NextDouble();
            var u2 = random.NextDouble();
            return mean + (spread * Math.Sqrt(-2 * Math.Log(u1)) * Math.Cos(2 * Math.PI * u2));
        }).ToArray();
    }

    [Fact]
    public void CanaryWorse_ClearlySlowerCanary_IsSignificantWithLargeEffect()
    {
        var result = MannWhitney.CanaryWorse(Normal(40, 0.150, 0.02, 1), Normal(40, 0.100, 0.02, 2));

        result.SignificantlyWorse.ShouldBeTrue();
        result.PValue.ShouldBeLessThan(0.001);
        result.Effect.ShouldBeGreaterThan(0.8);
        result.Describe("latency").ShouldContain("is significantly worse");
    }

    [Fact]
    public void CanaryWorse_SameDistribution_IsNotSignificant()
    {
        var result = MannWhitney.CanaryWorse(Normal(40, 0.100, 0.02, 3), Normal(40, 0.100, 0.02, 4));

        result.SignificantlyWorse.ShouldBeFalse();
        Math.Abs(result.Effect).ShouldBeLessThan(0.3);
    }

    [Fact]
    public void CanaryWorse_BetterCanary_IsNeverFailed()
    {
        var result = MannWhitney.CanaryWorse(Normal(40, 0.050, 0.02, 5), Normal(40, 0.100, 0.02, 6));

        result.SignificantlyWorse.ShouldBeFalse();
        result.PValue.ShouldBeGreaterThan(0.99);
        result.Effect.ShouldBeLessThan(-0.8);
    }

    [Fact]
    public void CanaryWorse_TextbookExample_MatchesKnownStatistic()
    {
        // Canary 6..10 against stable 1..5: every canary value is larger, U = 25 = n1*n2, effect +1;
        // exact one-sided p is 1/252 ≈ 0.004, the normal approximation with continuity correction gives ≈ 0.006.
        var result = MannWhitney.CanaryWorse([6, 7, 8, 9, 10], [1, 2, 3, 4, 5]);

        result.U.ShouldBe(25);
        result.Effect.ShouldBe(1);
        result.PValue.ShouldBeInRange(0.004, 0.008);
    }

    [Fact]
    public void CanaryWorse_AllTied_IsNotSignificant()
    {
        var result = MannWhitney.CanaryWorse([0.0, 0, 0, 0], [0.0, 0, 0, 0]);

        result.SignificantlyWorse.ShouldBeFalse();
        result.Effect.ShouldBe(0);
    }
}
