using ScottPlot;

namespace Fledge.Cli.Output;

/// <summary>One moment of a timeline: each version's share of the requests answered, the failed share, and the canary weight set.</summary>
internal sealed record TimelineSample(double Seconds, IReadOnlyDictionary<string, double> SharePercent, double FailedPercent, int CanaryWeight);

/// <summary>Something that happened at a moment, drawn as a labelled vertical line.</summary>
internal sealed record TimelineMark(double Seconds, string Label);

/// <summary>Draws a release timeline as a PNG: traffic per version and error rate over time, with the canary weight and events.</summary>
internal static class TimelineChart
{
    public static void Save(string path, IReadOnlyList<TimelineSample> samples, IReadOnlyList<TimelineMark> marks)
    {
        var plot = new Plot();
        plot.XLabel("seconds");
        plot.YLabel("% of requests");
        double[] xs = [.. samples.Select(s => s.Seconds)];
        Color[] palette = [Colors.SteelBlue, Colors.SeaGreen, Colors.DarkOrange, Colors.MediumPurple, Colors.Brown];
        var versions = samples.SelectMany(s => s.SharePercent.Keys).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();
        for (var i = 0; i < versions.Count; i++)
        {
            var version = versions[i];
            var line = plot.Add.ScatterLine(xs, [.. samples.Select(s => s.SharePercent.GetValueOrDefault(version))]);
            line.LegendText = $"answered by {version}";
            line.LineWidth = 2;
            line.Color = palette[i % palette.Length];
        }

        var weight = plot.Add.ScatterLine(xs, [.. samples.Select(s => (double)s.CanaryWeight)]);
        weight.LegendText = "canary weight set";
        weight.LineWidth = 1.5f;
        weight.LinePattern = LinePattern.Dashed;
        weight.Color = Colors.Gray;

        var failed = plot.Add.ScatterLine(xs, [.. samples.Select(s => s.FailedPercent)]);
        failed.LegendText = "failed";
        failed.LineWidth = 2;
        failed.Color = Colors.Crimson;

        foreach (var mark in marks)
        {
            var line = plot.Add.VerticalLine(mark.Seconds);
            line.Text = mark.Label;
            line.LabelOppositeAxis = true;
            line.LinePattern = LinePattern.Dotted;
            line.Color = Colors.Black.WithAlpha(0.6);
        }

        plot.Axes.SetLimitsY(-2, 105);

        // Room above the plot for the events' labels.
        plot.Layout.Fixed(new PixelPadding(80, 40, 60, 50));
        plot.ShowLegend(Alignment.MiddleRight);
        plot.SavePng(path, 1200, 600);
    }
}
