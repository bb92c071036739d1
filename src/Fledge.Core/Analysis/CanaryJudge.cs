using System.Globalization;

namespace Fledge.Core.Analysis;

/// <summary>
/// Judges a canary against the stable revision on one metric over the same window: the per-second values of
/// each revision are compared with a one-sided Mann-Whitney U test. The result is
/// [worse, p-value, effect size, canary median, stable median], where worse is 1 only when the canary's values
/// are significantly larger at <c>alpha</c> and the canary's median is above <c>allowedIncrease</c> times stable's
/// (so a failureCondition of <c>result[0] == 1</c> fails it), and the effect size is the rank-biserial correlation
/// (-1 to 1; above 0 means the canary tends to be worse). <c>allowedIncrease</c> is Kayenta's: 1 judges every
/// significant increase, 1.5 lets the canary be up to half as slow again before a significant difference counts,
/// so a difference that is real but too small to matter (a freshly started process on a loaded host) passes.
/// </summary>
public static class CanaryJudge
{
    public static IReadOnlyList<double> Judge(IReadOnlyList<double> canary, IReadOnlyList<double> stable, double alpha, int minSamples, double allowedIncrease = 1)
    {
        if (canary.Count < minSamples || stable.Count < minSamples)
        {
            throw new ArgumentException(string.Create(CultureInfo.InvariantCulture,
                $"not enough samples to compare yet: the canary has {canary.Count} and stable {stable.Count} seconds with requests; the judge needs {minSamples} of each"));
        }

        var test = MannWhitney.CanaryWorse(canary, stable, alpha);
        var (canaryMedian, stableMedian) = (Median(canary), Median(stable));
        var worse = test.SignificantlyWorse && canaryMedian > stableMedian * allowedIncrease;
        return [worse ? 1 : 0, test.PValue, test.Effect, canaryMedian, stableMedian];
    }

    /// <summary>"canary is significantly worse than stable (p = 0.0001, effect size +0.82; median 0.021 vs 0.002)".</summary>
    public static string Describe(IReadOnlyList<double> result) => result.Count < 5 ? "" : string.Create(CultureInfo.InvariantCulture,
        $"canary {(result[0] == 1 ? "is significantly worse than" : "is not judged worse than")} stable (one-sided Mann-Whitney p = {result[1]:0.####}, effect size {result[2]:+0.###;-0.###;0}; median {result[3]:0.####} vs {result[4]:0.####})");

    private static double Median(IReadOnlyList<double> values)
    {
        var sorted = values.Order().ToList();
        var middle = sorted.Count / 2;
        return sorted.Count % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
    }
}
