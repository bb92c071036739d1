using ScottPlot;

namespace Fledge.Cli.Output;

/// <summary>
/// One moment of a timeline: each version's share of the requests answered, the failed share of all requests, the
/// canary weight set, and the canary's own error rate (what its analysis judges), when a canary answered.
/// </summary>
internal sealed record TimelineSample(double Seconds, IReadOnlyDictionary<string, double> SharePercent, double FailedPercent, int CanaryWeight)
{
    public double? CanaryFailedPercent { get; init; }
}

/// <summary>Something that happened at a moment, drawn as a labelled vertical line.</summary>
internal sealed record TimelineMark(double Seconds, string Label);

/// <summary>
/// Draws a release timeline as a PNG in two panels that share the time axis: above, traffic per version with the
/// canary weight and the events; below, errors: the share of all requests that failed beside the canary's own error
/// rate, which is what its analysis judged.
/// </summary>
internal static class TimelineChart
{
    public static void Save(string path, string title, IReadOnlyList<TimelineSample> samples, IReadOnlyList<TimelineMark> marks)
    {
        var multiplot = new Multiplot();
        multiplot.AddPlots(2);
        var traffic = multiplot.GetPlot(0);
        var errors = multiplot.GetPlot(1);
        double[] xs = [.. samples.Select(s => s.Seconds)];

        traffic.Title(title);
        traffic.Axes.Title.Label.OffsetY = -28;
        traffic.YLabel("% of requests answered");
        Color[] palette = [Colors.SteelBlue, Colors.SeaGreen, Colors.DarkOrange, Colors.MediumPurple, Colors.Brown];
        var versions = samples.SelectMany(s => s.SharePercent.Keys).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();
        for (var i = 0; i < versions.Count; i++)
        {
            var version = versions[i];
            var line = traffic.Add.ScatterLine(xs, [.. samples.Select(s => s.SharePercent.GetValueOrDefault(version))]);
            line.LegendText = $"answered by {version}";
            line.LineWidth = 2;
            line.Color = palette[i % palette.Length];
        }

        var weight = traffic.Add.ScatterLine(xs, [.. samples.Select(s => (double)s.CanaryWeight)]);
        weight.LegendText = "canary weight set";
        weight.LineWidth = 1.5f;
        weight.LinePattern = LinePattern.Dashed;
        weight.Color = Colors.Gray;
        traffic.Axes.SetLimitsY(-2, 105);

        errors.XLabel("seconds");
        errors.YLabel("% failed");
        var failed = errors.Add.ScatterLine(xs, [.. samples.Select(s => s.FailedPercent)]);
        failed.LegendText = "of all requests";
        failed.LineWidth = 2;
        failed.Color = Colors.Crimson;
        var canary = samples.Where(s => s.CanaryFailedPercent is not null).ToList();
        if (canary.Count > 0)
        {
            double[] canaryXs = [.. canary.Select(s => s.Seconds)];
            double[] canaryYs = [.. canary.Select(s => s.CanaryFailedPercent!.Value)];
            var judged = errors.Add.Scatter(canaryXs, canaryYs);
            judged.LegendText = "of the canary's requests (what its analysis judged)";
            judged.LineWidth = 0;
            judged.MarkerSize = 6;
            judged.Color = Colors.DarkRed;
        }

        var top = Math.Max(10, samples.Select(s => Math.Max(s.FailedPercent, s.CanaryFailedPercent ?? 0)).DefaultIfEmpty(0).Max() * 1.15);
        errors.Axes.SetLimitsY(-1, top);

        foreach (var plot in new[] { traffic, errors })
        {
            foreach (var mark in marks)
            {
                var line = plot.Add.VerticalLine(mark.Seconds);
                line.Text = plot == traffic ? mark.Label : "";
                line.LabelOppositeAxis = true;
                line.LinePattern = LinePattern.Dotted;
                line.Color = Colors.Black.WithAlpha(0.6);
            }

            plot.ShowLegend(Alignment.MiddleRight);
        }

        // The same time axis for both panels; room above the top one for the title and the events' labels.
        multiplot.SharedAxes.ShareX([traffic, errors]);
        traffic.Layout.Fixed(new PixelPadding(80, 40, 30, 100));
        errors.Layout.Fixed(new PixelPadding(80, 40, 50, 20));
        multiplot.SavePng(path, 1200, 900);
    }
}
