using System.Globalization;

namespace Fledge.Core.Analysis;

/// <summary>
/// Judges a canary against the stable revision on one metric over the same window: the per-second values of
/// each revision are compared with a one-sided Mann-Whitney U test. The result is
/// [worse, p-value, effect size, canary median, stable median], where worse is 1 only when the canary's values
/// are significantly larger at <c>alpha</c> (so a failureCondition of <c>result[0] == 1</c> fails it), and the
/// effect size is the rank-biserial correlation (-1 to 1; above 0 means the canary tends to be worse).
/// </summary>
public static class CanaryJudge
{
    public static IReadOnlyList<double> Judge(IReadOnlyList<double> canary, IReadOnlyList<double> stable, double alpha, int minSamples)
    {
        if (canary.Count < minSamples || stable.Count < minSamples)
        {
            throw new ArgumentException(string.Create(CultureInfo.InvariantCulture,
                $"not enough samples to compare yet: the canary has {canary.Count} and stable {stable.Count} seconds with requests; the judge needs {minSamples} of each"));
        }

        var test = MannWhitney.CanaryWorse(canary, stable, alpha);
        return [test.SignificantlyWorse ? 1 : 0, test.PValue, test.Effect, Median(canary), Median(stable)];
    }

    /// <summary>"canary is significantly worse than stable (p = 0.0001, effect size +0.82; median 0.021 vs 0.002)".</summary>
    public static string Describe(IReadOnlyList<double> result) => result.Count < 5 ? "" : string.Create(CultureInfo.InvariantCulture,
        $"canary {(result[0] == 1 ? "is" : "is not")} significantly worse than stable (one-sided Mann-Whitney p = {result[1]:0.####}, effect size {result[2]:+0.###;-0.###;0}; median {result[3]:0.####} vs {result[4]:0.####})");

    private static double Median(IReadOnlyList<double> values)
    {
        var sorted = values.Order().ToList();
        var middle = sorted.Count / 2;
        return sorted.Count % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
    }
}
