using Fledge.Core.Analysis;

namespace Fledge.Core.Tests.Analysis;

public sealed class CanaryJudgeTests
{
    private static readonly double[] Stable = [.. Enumerable.Range(0, 30).Select(i => 0.002 + (i % 5 * 0.0002))];

    [Fact]
    public void Judge_SlowerCanary_IsWorseWithALargeEffect()
    {
        double[] canary = [.. Enumerable.Range(0, 30).Select(i => 0.020 + (i % 5 * 0.0002))];

        var result = CanaryJudge.Judge(canary, Stable, alpha: 0.05, minSamples: 10);

        result[0].ShouldBe(1);
        result[1].ShouldBeLessThan(0.001);
        result[2].ShouldBe(1, 0.001);
        result[3].ShouldBeGreaterThan(result[4]);
        CanaryJudge.Describe(result).ShouldStartWith("canary is significantly worse than stable");
    }

    [Fact]
    public void Judge_SameDistribution_IsNotWorse()
    {
        var result = CanaryJudge.Judge(Stable.Reverse().ToArray(), Stable, alpha: 0.05, minSamples: 10);

        result[0].ShouldBe(0);
        result[1].ShouldBeGreaterThan(0.4);
        result[2].ShouldBe(0, 0.001);
    }

    [Fact]
    public void Judge_FasterCanary_IsNotWorse_OneSided()
    {
        double[] canary = [.. Stable.Select(v => v / 10)];

        var result = CanaryJudge.Judge(canary, Stable, alpha: 0.05, minSamples: 10);

        result[0].ShouldBe(0);
        result[2].ShouldBe(-1, 0.001);
    }

    [Fact]
    public void Judge_SignificantButSmallIncrease_IsNotWorse_WithinAllowedIncrease()
    {
        double[] canary = [.. Stable.Select(v => v * 1.3)];

        CanaryJudge.Judge(canary, Stable, alpha: 0.05, minSamples: 10)[0].ShouldBe(1);
        var tolerant = CanaryJudge.Judge(canary, Stable, alpha: 0.05, minSamples: 10, allowedIncrease: 1.5);
        tolerant[0].ShouldBe(0);
        tolerant[1].ShouldBeLessThan(0.05);
        CanaryJudge.Describe(tolerant).ShouldStartWith("canary is not judged worse than stable");
        CanaryJudge.Judge([.. Stable.Select(v => v * 2)], Stable, alpha: 0.05, minSamples: 10, allowedIncrease: 1.5)[0].ShouldBe(1);
    }

    [Fact]
    public void Judge_AllZeroFailureRates_IsNotWorse()
    {
        var result = CanaryJudge.Judge(new double[20], new double[40], alpha: 0.05, minSamples: 10);

        result[0].ShouldBe(0);
        result[1].ShouldBe(1);
    }

    [Fact]
    public void Judge_TooFewSamples_SaysHowManyItHasAndNeeds() =>
        Should.Throw<ArgumentException>(() => CanaryJudge.Judge([0.1, 0.2], Stable, alpha: 0.05, minSamples: 10))
            .Message.ShouldBe("not enough samples to compare yet: the canary has 2 and stable 30 seconds with requests; the judge needs 10 of each");
}
