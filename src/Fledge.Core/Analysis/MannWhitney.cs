namespace Fledge.Core.Analysis;

/// <summary>The outcome of comparing a canary's samples with the stable revision's.</summary>
/// <param name="U">The Mann-Whitney U statistic of the canary sample.</param>
/// <param name="PValue">One-sided p-value for "the canary's values are larger" (worse, for latency or error rates).</param>
/// <param name="Effect">Rank-biserial correlation from -1 to 1: the probability that a canary value exceeds a stable one, minus the reverse.</param>
/// <param name="SignificantlyWorse">PValue below alpha: the canary is worse with that confidence.</param>
public sealed record MannWhitneyResult(double U, double PValue, double Effect, bool SignificantlyWorse)
{
    public string Describe(string metric) =>
        $"{metric}: canary {(SignificantlyWorse ? "is" : "is not")} significantly worse than stable (Mann-Whitney U = {U:0.#}, one-sided p = {PValue:0.####}, effect size {Effect:+0.###;-0.###;0})";
}

/// <summary>
/// Mann-Whitney U test (normal approximation with tie correction and continuity correction), one-sided:
/// is the canary's distribution shifted above the stable one's? It compares whole distributions rather than
/// a threshold, so it suits metrics without a known good value (latency of a new service, error rates that are
/// never zero) and small shares of traffic; it needs samples of both revisions over the same window (about 20
/// or more each). Use a threshold condition instead when there is a hard limit to enforce.
/// </summary>
public static class MannWhitney
{
    public static MannWhitneyResult CanaryWorse(IReadOnlyList<double> canary, IReadOnlyList<double> stable, double alpha = 0.05)
    {
        if (canary.Count == 0 || stable.Count == 0)
        {
            throw new ArgumentException("both samples need at least one value");
        }

        var all = canary.Select(v => (Value: v, Canary: true)).Concat(stable.Select(v => (Value: v, Canary: false))).OrderBy(p => p.Value).ToList();
        var ranks = new double[all.Count];
        double tieTerm = 0;
        for (var i = 0; i < all.Count;)
        {
            var j = i;
            while (j + 1 < all.Count && all[j + 1].Value == all[i].Value)
            {
                j++;
            }

            var rank = (i + j + 2) / 2.0;
            for (var k = i; k <= j; k++)
            {
                ranks[k] = rank;
            }

            var t = j - i + 1;
            tieTerm += (double)t * t * t - t;
            i = j + 1;
        }

        double n1 = canary.Count, n2 = stable.Count, n = n1 + n2;
        var rankSum = all.Select((p, i) => p.Canary ? ranks[i] : 0).Sum();
        var u = rankSum - (n1 * (n1 + 1) / 2);
        var mean = n1 * n2 / 2;
        var variance = n1 * n2 / 12 * (n + 1 - (tieTerm / (n * (n - 1))));
        var p = variance <= 0 ? (u > mean ? 0 : 1) : UpperTail((u - mean - 0.5) / Math.Sqrt(variance));
        var effect = (2 * u / (n1 * n2)) - 1;
        return new MannWhitneyResult(u, p, effect, p < alpha);
    }

    /// <summary>P(Z &gt; z) for a standard normal Z.</summary>
    private static double UpperTail(double z) => 0.5 * Erfc(z / Math.Sqrt(2));

    /// <summary>Complementary error function (Numerical Recipes' erfcc, relative error under 1.2e-7).</summary>
    private static double Erfc(double x)
    {
        var z = Math.Abs(x);
        var t = 1 / (1 + (0.5 * z));
        double[] coefficients = [-1.26551223, 1.00002368, 0.37409196, 0.09678418, -0.18628806, 0.27886807, -1.13520398, 1.48851587, -0.82215223, 0.17087277];
        var polynomial = 0.0;
        for (var i = coefficients.Length - 1; i >= 1; i--)
        {
            polynomial = (polynomial + coefficients[i]) * t;
        }

        var r = t * Math.Exp(-(z * z) + coefficients[0] + polynomial);
        return x >= 0 ? r : 2 - r;
    }
}
