using Fledge.Core.Kanarini;
using Fledge.Core.Manifests;
using Fledge.Simulation;

namespace Fledge.Simulation.Tests;

/// <summary>Kanarini's CanaryDeployment on the virtual clock: the sample (1 canary, 3 stable, checked 20 s after the canary is ready).</summary>
public sealed class CanaryDeploymentSimulatorTests
{
    private static CanaryDeployment Version(string image)
    {
        var loaded = ManifestLoader.Load(SampleFiles.Read("kanarini/hello-canarydeployment.yaml").Replace("fledge/hello:v1", image, StringComparison.Ordinal), "cd.yaml");
        return CanaryDeploymentReader.Read(loaded.Objects.Single()).Deployment!;
    }

    private static Dictionary<(string, string), double> FailureRates(params (string Image, double Value)[] values) =>
        values.ToDictionary(v => ("request_failure_rate:1m", v.Image), v => v.Value);

    [Fact]
    public void Run_GoodThenBad_BadIsCheckedOnTheCanaryOnlyAndTheCanaryGoesBack()
    {
        var result = CanaryDeploymentSimulator.Run(new CanaryDeploymentSimulationOptions(Version("fledge/hello:v1"), [Version("fledge/hello:v2"), Version("fledge/hello:v3")])
        {
            MetricValues = FailureRates(("fledge/hello:v1", 0.01), ("fledge/hello:v2", 0.02), ("fledge/hello:v3", 0.3)),
        });

        result.Result.ShouldBe("Failed");
        result.Applies.Select(a => a.Image).ShouldBe(["fledge/hello:v1", "fledge/hello:v2", "fledge/hello:v3"]);
        result.Frames.ShouldAllBe(f => f.Tracks.All(t => t.Track != "stable" || t.Image != "fledge/hello:v3"));
        result.Frames.ShouldContain(f => f.Traffic.GetValueOrDefault("fledge/hello:v3") == 25, "1 canary replica of 4 takes a quarter of the traffic");
        var last = result.Frames[^1];
        last.Tracks.ShouldAllBe(t => t.Image == "fledge/hello:v2");
        last.Traffic.ShouldBe(new Dictionary<string, int> { ["fledge/hello:v2"] = 100 });
        result.Conditions.ShouldContain(c => c.Type == "Failure" && c.Reason == "DoneFailure");

        // v3 applied at 46 s: ready a second later, checked 20 s after that, back on v2 a second later
        result.Applies[2].T.ShouldBe(46);
        result.DurationSeconds.ShouldBe(68);
    }

    [Fact]
    public void Run_GoodVersion_ReachesTheStableTrackAfterTheCheck()
    {
        var result = CanaryDeploymentSimulator.Run(new CanaryDeploymentSimulationOptions(Version("fledge/hello:v1"), [Version("fledge/hello:v2")])
        {
            MetricValues = FailureRates(("fledge/hello:v1", 0), ("fledge/hello:v2", 0.05)),
            ReadyAfter = TimeSpan.FromSeconds(2),
        });

        result.Result.ShouldBe("Ready");
        var stableOnV2 = result.Frames.First(f => f.Tracks.Any(t => t.Track == "stable" && t.Image == "fledge/hello:v2"));
        stableOnV2.Events.ShouldContain(e => e.StartsWith("MetricsCheckResult: Metrics check result: Success", StringComparison.Ordinal));
        result.Frames[^1].Traffic.ShouldBe(new Dictionary<string, int> { ["fledge/hello:v2"] = 100 });
    }

    [Fact]
    public void Run_NoValueForTheMetric_StallsAndSaysWhichValueToGive()
    {
        var result = CanaryDeploymentSimulator.Run(new CanaryDeploymentSimulationOptions(Version("fledge/hello:v1"), []));

        result.Result.ShouldBe("Stalled");
        result.Frames[^1].Events.ShouldContain(e => e.Contains("add --metric request_failure_rate:1m=VALUE@fledge/hello:v1", StringComparison.Ordinal));
        result.Frames.ShouldAllBe(f => f.Tracks.All(t => t.Track == "canary"));
    }
}
