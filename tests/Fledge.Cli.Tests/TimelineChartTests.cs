using Fledge.Cli.Output;

namespace Fledge.Cli.Tests;

public sealed class TimelineChartTests
{
    [Fact]
    public void Save_ACanaryThatFails_DrawsBothPanelsAsAPng()
    {
        var path = Path.Combine(Path.GetTempPath(), $"fledge-timeline-{Guid.NewGuid():N}.png");
        var samples = Enumerable.Range(0, 40).Select(i => new TimelineSample(i * 0.5,
                new Dictionary<string, double> { ["v1"] = i is >= 10 and < 20 ? 80 : 100, ["v2"] = i is >= 10 and < 20 ? 14 : 0 },
                i is >= 10 and < 20 ? 6 : 0, i is >= 10 and < 20 ? 20 : 0)
            { CanaryFailedPercent = i is >= 10 and < 20 ? 30 : null })
            .ToList();
        try
        {
            TimelineChart.Save(path, "Fledge demo: a canary rolled back by itself", samples, [new TimelineMark(5, "v2 canary"), new TimelineMark(10, "v2 aborted")]);

            var png = File.ReadAllBytes(path);
            png.Take(8).ShouldBe(new byte[] { 0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A });
            // The IHDR chunk holds width and height: two panels, one above the other.
            (png[16] << 24 | png[17] << 16 | png[18] << 8 | png[19]).ShouldBe(1200);
            (png[20] << 24 | png[21] << 16 | png[22] << 8 | png[23]).ShouldBe(900);
        }
        finally
        {
            File.Delete(path);
        }
    }
}
