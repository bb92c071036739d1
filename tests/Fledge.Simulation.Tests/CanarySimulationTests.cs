using System.Globalization;
using Fledge.Core.Rollouts;

namespace Fledge.Simulation.Tests;

/// <summary>Canary rollouts on the virtual clock: weights, pauses, promotion, abort and retry.</summary>
public sealed class CanarySimulationTests
{
    private static Rollout Canary(string image, bool routed = true, string steps = "- setWeight: 20\n- pause: {duration: 1m}\n- setWeight: 50\n- pause: {}", int replicas = 4) =>
        Manifests.Read(string.Create(CultureInfo.InvariantCulture, $"""
            apiVersion: fledge.io/v1alpha1
            kind: Rollout
            metadata:
              name: web
            spec:
              replicas: {replicas}
              selector:
                matchLabels: {"{"}app: web{"}"}
              strategy:
                canary:
                  canaryService: web-canary
                  stableService: web
            {(routed ? "      trafficRouting: {}\n" : "")}      abortScaleDownDelaySeconds: 30
                  steps:
            {string.Join("\n", steps.Split('\n').Select(s => "      " + s))}
              template:
                metadata:
                  labels: {"{"}app: web{"}"}
                spec:
                  containers:
                  - name: web
                    image: {image}

            """));

    private static SimulationResult Run(Rollout v1, Rollout v2, params ScriptedEvent[] events) =>
        Simulator.Run(new SimulationOptions(v1, [v2]) { Events = events });

    private static int TrafficOf(Frame frame, long revision) =>
        frame.Traffic.TryGetValue(revision.ToString(CultureInfo.InvariantCulture), out var share) ? share : 0;

    [Fact]
    public void Run_RoutedCanary_StepsThroughExactWeightsAndPromotes()
    {
        var result = Run(Canary("web:v1"), Canary("web:v2"), new ScriptedEvent(TimeSpan.FromMinutes(5), ScriptedAction.Promote, "5m:promote"));

        result.Result.ShouldBe(SimulationOutcome.Complete);
        var canaryShares = result.Frames.Select(f => TrafficOf(f, 2)).Distinct().ToList();
        canaryShares.ShouldBe([0, 20, 50, 100]);
        result.Frames.ShouldAllBe(f => f.ReplicaSets.Where(rs => rs.Revision == 1).All(rs => rs.Replicas == 4 || rs.Replicas == 0), "with a router the stable revision stays at full size");
        var at20 = result.Frames.First(f => TrafficOf(f, 2) == 20);
        at20.ReplicaSets.Single(rs => rs.Revision == 2).Available.ShouldBe(1, "20% of 4 replicas rounds up to 1 canary");
        var at50 = result.Frames.First(f => TrafficOf(f, 2) == 50);
        (at50.T - at20.T).ShouldBeGreaterThanOrEqualTo(60, "the one-minute pause comes between 20% and 50%");
        result.Frames.Where(f => f.T < 300 && f.T > at50.T).ShouldAllBe(f => f.Phase == "Paused", "pause: {} waits for promotion");
        result.Frames[^1].Phase.ShouldBe("Healthy");
        result.Frames[^1].ReplicaSets.ShouldHaveSingleItem().Revision.ShouldBe(2);
    }

    [Fact]
    public void Run_RoutedCanaryAborted_SendsAllTrafficToStableAtOnceAndScalesCanaryDownAfterTheDelay()
    {
        var result = Run(Canary("web:v1"), Canary("web:v2"), new ScriptedEvent(TimeSpan.FromSeconds(100), ScriptedAction.Abort, "100s:abort"));

        result.Result.ShouldBe(SimulationOutcome.Aborted);
        var aborted = result.Frames.First(f => f.Phase == "Degraded");
        aborted.T.ShouldBe(100);
        TrafficOf(aborted, 2).ShouldBe(0);
        TrafficOf(aborted, 1).ShouldBe(100);
        aborted.ReplicaSets.Single(rs => rs.Revision == 2).Replicas.ShouldBeGreaterThan(0, "the canary stays up for abortScaleDownDelaySeconds");
        result.Frames.First(f => f.Phase == "Degraded" && f.ReplicaSets.All(rs => rs.Revision == 1)).T.ShouldBe(130);
        result.Conditions.Single(c => c.Type == "Progressing").Reason.ShouldBe("RolloutAborted");
    }

    [Fact]
    public void Run_AbortedThenRetried_StartsTheStepsAgain()
    {
        var result = Run(Canary("web:v1"), Canary("web:v2"),
            new ScriptedEvent(TimeSpan.FromSeconds(30), ScriptedAction.Abort, "30s:abort"),
            new ScriptedEvent(TimeSpan.FromSeconds(200), ScriptedAction.Retry, "200s:retry"),
            new ScriptedEvent(TimeSpan.FromSeconds(400), ScriptedAction.PromoteFull, "400s:promote-full"));

        result.Result.ShouldBe(SimulationOutcome.Complete);
        result.Frames.Where(f => f.T > 200 && f.T < 400).ShouldContain(f => TrafficOf(f, 2) == 20);
        result.Frames[^1].ReplicaSets.ShouldHaveSingleItem().Image.ShouldBe("web:v2");
    }

    [Fact]
    public void Run_CanaryWithoutRouter_ApproximatesWeightsWithReplicaCounts()
    {
        var result = Run(Canary("web:v1", routed: false), Canary("web:v2", routed: false), new ScriptedEvent(TimeSpan.FromMinutes(5), ScriptedAction.Promote, "5m:promote"));

        result.Result.ShouldBe(SimulationOutcome.Complete);
        var firstPause = result.Frames.First(f => f.Phase == "Paused");
        // Argo's approximation: 20% of 4 with a surge of 1 is 1 canary of 5 (exactly 20%), not 1 of 4
        firstPause.ReplicaSets.Single(rs => rs.Revision == 2).Replicas.ShouldBe(1);
        firstPause.ReplicaSets.Single(rs => rs.Revision == 1).Replicas.ShouldBe(4);
        TrafficOf(firstPause, 2).ShouldBe(20, "1 of 5 ready replicas");
        var secondPause = result.Frames.First(f => f.Phase == "Paused" && f.T > firstPause.T + 60);
        secondPause.ReplicaSets.Single(rs => rs.Revision == 2).Replicas.ShouldBe(2, "50% of 4: 2 and 2");
        secondPause.ReplicaSets.Single(rs => rs.Revision == 1).Replicas.ShouldBe(2);
        result.Frames.ShouldAllBe(f => f.TotalPods <= 5, "without a router the canary stays within maxSurge (25% of 4 = 1)");
    }

    [Fact]
    public void Run_CanaryWithoutRouterAborted_RollsBackToStableWithinMaxUnavailable()
    {
        const string steps = "- setWeight: 60\n- pause: {}";
        var result = Run(Canary("web:v1", routed: false, steps: steps, replicas: 5), Canary("web:v2", routed: false, steps: steps, replicas: 5),
            new ScriptedEvent(TimeSpan.FromSeconds(60), ScriptedAction.Abort, "60s:abort"));

        result.Result.ShouldBe(SimulationOutcome.Aborted);
        var paused = result.Frames.Last(f => f.T < 60);
        paused.ReplicaSets.Single(rs => rs.Revision == 2).Replicas.ShouldBe(3, "60% of 5");
        var rollingBack = result.Frames.Where(f => f.T >= 60).ToList();
        rollingBack.ShouldAllBe(f => f.TotalAvailable >= 4, "an abort is a rolling update back to stable: never more than maxUnavailable (1 of 5) unavailable");
        rollingBack.ShouldAllBe(f => f.TotalPods <= 7, "and never more than maxSurge (2) above spec.replicas");
        rollingBack[^1].ReplicaSets.ShouldHaveSingleItem().Revision.ShouldBe(1);
        rollingBack[^1].ReplicaSets[0].Available.ShouldBe(5);
    }

    [Fact]
    public void Run_CanaryWithoutRouter_ABrokenStableDoesNotHoldAFixedCanaryBack()
    {
        const string steps = "- setWeight: 50\n- pause: {}";
        var options = new SimulationOptions(Canary("web:broken", routed: false, steps: steps), [Canary("web:fixed", routed: false, steps: steps)])
        {
            NeverReadyImages = new HashSet<string> { "web:broken" },
            Events = [new ScriptedEvent(TimeSpan.FromMinutes(30), ScriptedAction.Promote, "30m:promote")],
        };

        var result = Simulator.Run(options);

        var firstPause = result.Frames.First(f => f.Phase == "Paused");
        firstPause.ReplicaSets.Single(rs => rs.Revision == 2).Available.ShouldBe(2, "the fixed canary reaches its 50% although no stable replica is available");
        result.Result.ShouldBe(SimulationOutcome.Complete);
        result.Frames[^1].ReplicaSets.ShouldHaveSingleItem().Image.ShouldBe("web:fixed");
    }

    [Fact]
    public void Run_FirstVersion_IsStableAtOnceWithoutSteps()
    {
        var result = Simulator.Run(new SimulationOptions(Canary("web:v1"), []));

        result.Result.ShouldBe(SimulationOutcome.Complete);
        result.Frames.ShouldAllBe(f => f.Phase != "Paused");
        result.DurationSeconds.ShouldBe(1);
    }

    [Fact]
    public void Run_RollingUpdateRolloutSwitchedToCanary_ItsFirstNewVersionIsACanary()
    {
        var rolling = Manifests.Read(File.ReadAllText(SampleFiles.PathOf("hello-v1.yaml")));
        var canary = Manifests.Read(File.ReadAllText(SampleFiles.PathOf("canary/hello-canary-v2.yaml")));

        var result = Run(rolling, canary, new ScriptedEvent(TimeSpan.FromMinutes(5), ScriptedAction.Promote, "5m:promote"));

        result.Result.ShouldBe(SimulationOutcome.Complete);
        result.Frames.Select(f => TrafficOf(f, 2)).Distinct().ShouldBe([0, 20, 50, 100], "the running v1 is stable, v2 goes through the steps");
        result.Frames.Where(f => f.T is > 70 and < 300).ShouldAllBe(f => f.Phase == "Paused");
    }

    [Fact]
    public void Run_TimedPausesOnly_CompletesByItself()
    {
        var result = Run(Canary("web:v1", steps: "- setWeight: 50\n- pause: {duration: 30s}"), Canary("web:v2", steps: "- setWeight: 50\n- pause: {duration: 30s}"));

        result.Result.ShouldBe(SimulationOutcome.Complete);
        (result.DurationSeconds - result.Applies[1].T).ShouldBeGreaterThanOrEqualTo(30 + 30, "the pause, then the scale-down delay");
    }
}
