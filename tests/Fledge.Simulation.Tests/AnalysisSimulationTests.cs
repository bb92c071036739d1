using System.Collections.Immutable;
using Fledge.Core.Analysis;
using Fledge.Core.Manifests;
using Fledge.Core.Rollouts;

namespace Fledge.Simulation.Tests;

/// <summary>Canary analysis on the virtual clock: a good canary is promoted, a bad one rolled back by itself.</summary>
public sealed class AnalysisSimulationTests
{
    private static readonly string Canary = SampleFiles.PathOf("canary");

    private static Rollout ReadRollout(string file)
    {
        var loaded = ManifestLoader.LoadFile(Path.Combine(Canary, file));
        loaded.Errors.ShouldBeEmpty();
        var (rollout, errors) = RolloutReader.Read(loaded.Objects.Single());
        errors.ShouldBeEmpty();
        return rollout!;
    }

    private static ImmutableDictionary<string, AnalysisTemplate> Templates()
    {
        var loaded = ManifestLoader.LoadFile(Path.Combine(Canary, "error-rate-template.yaml"));
        var (template, errors) = AnalysisTemplateReader.Read(loaded.Objects.Single());
        errors.ShouldBeEmpty();
        return ImmutableDictionary<string, AnalysisTemplate>.Empty.Add(template!.Name, template);
    }

    private static SimulationResult Run(double? canaryErrorRate, params ScriptedEvent[] events) =>
        Simulator.Run(new SimulationOptions(ReadRollout("hello-analysis-v1.yaml"), [ReadRollout("hello-analysis-v2.yaml")])
        {
            Templates = Templates(),
            MetricValues = canaryErrorRate is { } rate ? new Dictionary<(string, string), double> { [("error-rate", "fledge/hello:v2")] = rate } : [],
            Events = events,
        });

    [Fact]
    public void Run_GoodCanary_PassesThreeMeasurementsAndIsPromoted()
    {
        var result = Run(0.01);

        result.Result.ShouldBe(SimulationOutcome.Complete);
        result.Frames.SelectMany(f => f.Events).Count(e => e.StartsWith("measured error-rate = 0.01", StringComparison.Ordinal)).ShouldBe(3);
        result.Frames[^1].ReplicaSets.ShouldHaveSingleItem().Image.ShouldBe("fledge/hello:v2");
    }

    [Fact]
    public void Run_FailingCanary_IsAbortedAtTheFirstFailedMeasurementAndScaledDownAfterTheDelay()
    {
        var result = Run(0.3);

        result.Result.ShouldBe(SimulationOutcome.Aborted);
        var aborted = result.Frames.First(f => f.Phase == "Degraded");
        aborted.Traffic.ShouldBe(new Dictionary<string, int> { ["1"] = 100 });
        aborted.Events.ShouldContain(e => e.Contains("metric \"error-rate\" assessed Failed", StringComparison.Ordinal) && e.Contains("0.3", StringComparison.Ordinal));
        result.Frames.First(f => f.T >= aborted.T && f.ReplicaSets.All(rs => rs.Revision == 1)).T.ShouldBe(aborted.T + 10, "abortScaleDownDelaySeconds is 10");
        var started = result.Applies[1].T;
        aborted.Events.ShouldContain(e => e.EndsWith($"all traffic is back on the stable revision, {aborted.T - started}s after the canary started", StringComparison.Ordinal));
        result.Frames.SelectMany(f => f.Events).ShouldContain(
            $"the aborted canary (revision 2) is scaled down: traffic went back to the stable revision {aborted.T - started}s after the canary started, and its replicas go {aborted.T + 10 - started}s after it started");
        result.Conditions.Single(c => c.Type == "Progressing").Message.ShouldContain("meets the failure condition \"result >= 0.1\"");
    }

    [Fact]
    public void Run_InconclusiveCanary_PausesForAPersonAndNeverPromotesByItself()
    {
        var result = Run(0.07);

        result.Result.ShouldBe(SimulationOutcome.Stalled);
        result.Frames[^1].Phase.ShouldBe("Paused");
        result.Frames[^1].ReplicaSets.Count.ShouldBe(2, "neither promoted nor rolled back");
    }

    [Fact]
    public void Run_InconclusiveCanaryPromotedByAPerson_Completes()
    {
        var result = Run(0.07, new ScriptedEvent(TimeSpan.FromMinutes(2), ScriptedAction.Promote, "2m:promote"));

        result.Result.ShouldBe(SimulationOutcome.Complete);
    }

    [Fact]
    public void Run_UnreachableMetric_ErrorsAndRollsBackNeverPromotes()
    {
        var result = Run(canaryErrorRate: null);

        result.Result.ShouldBe(SimulationOutcome.Aborted);
        result.Conditions.Single(c => c.Type == "Progressing").Message.ShouldContain("assessed Error");
        result.Frames.ShouldAllBe(f => !f.Traffic.ContainsKey("2") || f.Traffic["2"] <= 25, "an erroring analysis never lets the canary past its step");
    }
}
