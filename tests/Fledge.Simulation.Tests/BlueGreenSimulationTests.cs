using System.Collections.Immutable;
using Fledge.Core.Analysis;
using Fledge.Core.Manifests;
using Fledge.Core.Rollouts;

namespace Fledge.Simulation.Tests;

/// <summary>Blue-green on the virtual clock: preview, promotion, the one-step switch, scale-down delay, abort.</summary>
public sealed class BlueGreenSimulationTests
{
    private static Rollout Read(string version, string? edit = null)
    {
        var text = File.ReadAllText(SampleFiles.PathOf($"blue-green/hello-bluegreen-{version}.yaml"));
        return Manifests.Read(edit is null ? text : text.Replace("      autoPromotionEnabled: false\n", edit, StringComparison.Ordinal));
    }

    private static int Traffic(Frame frame, long revision) => frame.Traffic.TryGetValue(revision.ToString(System.Globalization.CultureInfo.InvariantCulture), out var share) ? share : 0;

    [Fact]
    public void Run_ManualPromotion_WaitsThenSwitchesAllTrafficAtOnce()
    {
        var result = Simulator.Run(new SimulationOptions(Read("v1"), [Read("v2")])
        {
            Events = [new ScriptedEvent(TimeSpan.FromMinutes(2), ScriptedAction.Promote, "2m:promote")],
        });

        result.Result.ShouldBe(SimulationOutcome.Complete);
        result.Frames.Where(f => f.T < 120).ShouldAllBe(f => Traffic(f, 2) == 0, "the preview gets no user traffic before promotion");
        result.Frames.Where(f => f.T is > 2 and < 120).ShouldAllBe(f => f.Phase == "Paused");
        var switched = result.Frames.First(f => Traffic(f, 2) > 0);
        Traffic(switched, 2).ShouldBe(100);
        switched.T.ShouldBe(120);
        switched.ReplicaSets.Single(rs => rs.Revision == 1).Replicas.ShouldBe(3, "the old version stays up for scaleDownDelaySeconds");
        result.Frames.First(f => f.T > 120 && f.ReplicaSets.All(rs => rs.Revision == 2)).T.ShouldBe(150);
    }

    [Fact]
    public void Run_RollingUpdateRolloutSwitchedToBlueGreen_TheRunningVersionStaysActiveUntilPromotion()
    {
        var rolling = Manifests.Read(File.ReadAllText(SampleFiles.PathOf("hello-v1.yaml")));

        var result = Simulator.Run(new SimulationOptions(rolling, [Read("v2")])
        {
            Events = [new ScriptedEvent(TimeSpan.FromMinutes(2), ScriptedAction.Promote, "2m:promote")],
        });

        result.Result.ShouldBe(SimulationOutcome.Complete);
        result.Frames.Where(f => f.T < 120).ShouldAllBe(f => Traffic(f, 2) == 0, "v1 keeps every user request until v2 is promoted");
        result.Frames.First(f => Traffic(f, 2) > 0).T.ShouldBe(120);
    }

    [Fact]
    public void Run_AutoPromotionAfterSeconds_SwitchesByItself()
    {
        var result = Simulator.Run(new SimulationOptions(Read("v1"), [Read("v2", "      autoPromotionSeconds: 45\n")]));

        result.Result.ShouldBe(SimulationOutcome.Complete);
        result.Frames.First(f => Traffic(f, 2) == 100).T.ShouldBe(result.Applies[1].T + 1 + 45);
    }

    [Fact]
    public void Run_PreviewReplicaCount_RunsFewerReplicasUntilPromotion()
    {
        var result = Simulator.Run(new SimulationOptions(Read("v1"), [Read("v2", "      autoPromotionEnabled: false\n      previewReplicaCount: 1\n")])
        {
            Events = [new ScriptedEvent(TimeSpan.FromMinutes(1), ScriptedAction.Promote, "1m:promote")],
        });

        result.Result.ShouldBe(SimulationOutcome.Complete);
        result.Frames.Where(f => f.T is > 2 and < 60).ShouldAllBe(f => f.ReplicaSets.Single(rs => rs.Revision == 2).Replicas == 1);
        var switched = result.Frames.First(f => Traffic(f, 2) == 100);
        switched.ReplicaSets.Single(rs => rs.Revision == 2).Available.ShouldBe(3, "the switch waits for the full size");
    }

    [Fact]
    public void Run_Aborted_KeepsTheActiveVersionAndScalesThePreviewDown()
    {
        var result = Simulator.Run(new SimulationOptions(Read("v1"), [Read("v2")])
        {
            Events = [new ScriptedEvent(TimeSpan.FromSeconds(20), ScriptedAction.Abort, "20s:abort")],
        });

        result.Result.ShouldBe(SimulationOutcome.Aborted);
        result.Frames.ShouldAllBe(f => Traffic(f, 2) == 0);
        result.Frames[^1].ReplicaSets.ShouldHaveSingleItem().Revision.ShouldBe(1);
    }

    [Fact]
    public void Run_FailedPostPromotionAnalysis_SwitchesBackToThePreviousVersion()
    {
        const string template = """
            apiVersion: fledge.io/v1alpha1
            kind: AnalysisTemplate
            metadata: {name: smoke}
            spec:
              metrics:
              - name: errors
                successCondition: result < 0.05
                provider:
                  fledge: {service: hello, metric: "request_failure_rate:1m"}
            """;
        var loaded = ManifestLoader.Load(template, "t.yaml");
        var (smoke, _) = AnalysisTemplateReader.Read(loaded.Objects.Single());
        var post = "      autoPromotionEnabled: true\n      postPromotionAnalysis:\n        templates: [{templateName: smoke}]\n";

        var result = Simulator.Run(new SimulationOptions(Read("v1", post), [Read("v2", post)])
        {
            Templates = ImmutableDictionary<string, AnalysisTemplate>.Empty.Add("smoke", smoke!),
            MetricValues = new Dictionary<(string, string), double> { [("errors", "fledge/hello:v2")] = 0.5 },
        });

        result.Result.ShouldBe(SimulationOutcome.Aborted);
        var switchedBack = result.Frames.Last(f => Traffic(f, 1) == 100);
        result.Frames.ShouldContain(f => Traffic(f, 2) == 100 && f.T < switchedBack.T, "it was switched to v2 first");
        result.Frames[^1].ReplicaSets.ShouldHaveSingleItem().Revision.ShouldBe(1);
        result.Conditions.Single(c => c.Type == "Progressing").Message.ShouldContain("metric \"errors\" assessed Failed");
    }
}
