using System.Globalization;
using Fledge.Core.Rollouts;

namespace Fledge.Simulation.Tests;

/// <summary>Argo's fields where their meaning is Fledge's too: played on the virtual clock.</summary>
public sealed class ArgoSemanticsSimulationTests
{
    private static Rollout Canary(string image, string canary = "", string spec = "", string steps = "- setWeight: 50\n- pause: {}", int replicas = 4) =>
        Manifests.Read(string.Create(CultureInfo.InvariantCulture, $"""
            apiVersion: argoproj.io/v1alpha1
            kind: Rollout
            metadata:
              name: web
            spec:
              replicas: {replicas}
            {string.Concat(spec.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => "  " + l + "\n"))}  selector:
                matchLabels: {"{"}app: web{"}"}
              strategy:
                canary:
                  canaryService: web-canary
                  stableService: web
            {string.Concat(canary.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => "      " + l + "\n"))}      steps:
            {string.Join("\n", steps.Split('\n').Select(s => "      " + s))}
              template:
                metadata:
                  labels: {"{"}app: web{"}"}
                spec:
                  containers:
                  - name: web
                    image: {image}

            """));

    private static int Replicas(Frame frame, long revision) => frame.ReplicaSets.Where(rs => rs.Revision == revision).Sum(rs => rs.Replicas);

    private static int TrafficOf(Frame frame, long revision) =>
        frame.Traffic.TryGetValue(revision.ToString(CultureInfo.InvariantCulture), out var share) ? share : 0;

    [Fact]
    public void ProgressDeadlineAbort_AbortsAnUpdateThatMakesNoProgress()
    {
        const string spec = "progressDeadlineSeconds: 60\nprogressDeadlineAbort: true";
        var options = new SimulationOptions(Canary("web:v1", spec: spec), [Canary("web:broken", spec: spec)]) { NeverReadyImages = new HashSet<string> { "web:broken" } };

        var result = Simulator.Run(options);

        result.Result.ShouldBe(SimulationOutcome.Aborted);
        result.Frames.SelectMany(f => f.Events).ShouldContain(e => e.Contains("progressDeadlineAbort", StringComparison.Ordinal));
        result.Frames[^1].ReplicaSets.Where(rs => rs.Image == "web:v1").Sum(rs => rs.Available).ShouldBe(4, "back on the stable version");
    }

    [Fact]
    public void WithoutProgressDeadlineAbort_TheDeadlineOnlyMarksTheRollout()
    {
        const string spec = "progressDeadlineSeconds: 60";
        var options = new SimulationOptions(Canary("web:v1", spec: spec), [Canary("web:broken", spec: spec)]) { NeverReadyImages = new HashSet<string> { "web:broken" } };

        var result = Simulator.Run(options);

        result.Result.ShouldNotBe(SimulationOutcome.Aborted);
        result.Conditions.Single(c => c.Type == "Progressing").Reason.ShouldBe("ProgressDeadlineExceeded");
    }

    [Fact]
    public void RollbackWindow_GoingBackToARecentRevisionSkipsTheSteps()
    {
        const string spec = "rollbackWindow: {revisions: 2}";
        const string steps = "- setWeight: 50\n- pause: {duration: 30s}";
        var result = Simulator.Run(new SimulationOptions(Canary("web:v1", spec: spec, steps: steps), [Canary("web:v2", spec: spec, steps: steps), Canary("web:v1", spec: spec, steps: steps)]));

        result.Result.ShouldBe(SimulationOutcome.Complete);
        var back = result.Applies[2].T;
        result.Frames.Where(f => f.T < back).ShouldContain(f => f.Phase == "Paused", "v2 went through its steps");
        result.Frames.Where(f => f.T > back).ShouldAllBe(f => f.Phase != "Paused", "going back to v1 is within the window: no pause");
        result.Frames.SelectMany(f => f.Events).ShouldContain(e => e.Contains("rollbackWindow", StringComparison.Ordinal));
        result.Frames[^1].ReplicaSets.ShouldHaveSingleItem().Image.ShouldBe("web:v1");
    }

    [Fact]
    public void WithoutRollbackWindow_GoingBackPausesLikeAnyVersion()
    {
        const string steps = "- setWeight: 50\n- pause: {duration: 30s}";
        var result = Simulator.Run(new SimulationOptions(Canary("web:v1", steps: steps), [Canary("web:v2", steps: steps), Canary("web:v1", steps: steps)]));

        result.Result.ShouldBe(SimulationOutcome.Complete);
        result.Frames.Where(f => f.T > result.Applies[2].T).ShouldContain(f => f.Phase == "Paused");
    }

    [Fact]
    public void AbortScaleDownDelayZero_KeepsTheAbortedCanaryRunningWithoutTraffic()
    {
        const string canary = "trafficRouting: {}\nabortScaleDownDelaySeconds: 0";
        var result = Simulator.Run(new SimulationOptions(Canary("web:v1", canary), [Canary("web:v2", canary)])
        {
            Events = [new ScriptedEvent(TimeSpan.FromSeconds(60), ScriptedAction.Abort, "60s:abort")],
        });

        result.Result.ShouldBe(SimulationOutcome.Aborted);
        var last = result.Frames[^1];
        TrafficOf(last, 2).ShouldBe(0);
        Replicas(last, 2).ShouldBe(2, "Argo's meaning of 0: the canary is never scaled down");
    }

    [Fact]
    public void ScaleDownDelayRevisionLimitZero_RetiresTheOldStableAtOnce()
    {
        static SimulationResult Run(string canary) => Simulator.Run(new SimulationOptions(Canary("web:v1", canary), [Canary("web:v2", canary)])
        {
            Events = [new ScriptedEvent(TimeSpan.FromSeconds(60), ScriptedAction.Promote, "60s:promote")],
        });

        var delayed = Run("trafficRouting: {}\nscaleDownDelaySeconds: 120");
        var limited = Run("trafficRouting: {}\nscaleDownDelaySeconds: 120\nscaleDownDelayRevisionLimit: 0");

        (delayed.DurationSeconds - delayed.Frames.First(f => f.T > 60 && TrafficOf(f, 2) == 100).T).ShouldBeGreaterThanOrEqualTo(120);
        var promoted = limited.Frames.First(f => f.T > 60 && TrafficOf(f, 2) == 100).T;
        limited.Frames.Where(f => f.T > promoted).ShouldAllBe(f => Replicas(f, 1) == 0, "no old revision may wait out the delay");
        limited.DurationSeconds.ShouldBeLessThan(promoted + 120);
    }

    [Fact]
    public void MaxTrafficWeight_CountsSetWeightOutOfIt()
    {
        var result = Simulator.Run(new SimulationOptions(Canary("web:v1", "trafficRouting: {maxTrafficWeight: 200}"), [Canary("web:v2", "trafficRouting: {maxTrafficWeight: 200}")]));

        TrafficOf(result.Frames.First(f => f.Phase == "Paused"), 2).ShouldBe(25, "setWeight 50 of 200");
    }

    [Fact]
    public void DynamicStableScale_ShrinksTheStableWithItsTrafficAndGrowsItBackOnAbort()
    {
        const string canary = "trafficRouting: {}\ndynamicStableScale: true";
        var result = Simulator.Run(new SimulationOptions(Canary("web:v1", canary, steps: "- setWeight: 75\n- pause: {}"), [Canary("web:v2", canary, steps: "- setWeight: 75\n- pause: {}")])
        {
            Events = [new ScriptedEvent(TimeSpan.FromSeconds(60), ScriptedAction.Abort, "60s:abort")],
        });

        var paused = result.Frames.Last(f => f.T < 60);
        (Replicas(paused, 2), Replicas(paused, 1)).ShouldBe((3, 1), "75% of 4 on the canary, the stable keeps 25%");
        TrafficOf(paused, 2).ShouldBe(75);
        result.Frames.Where(f => f.T >= 60).ShouldAllBe(f => f.ReplicaSets.Sum(rs => rs.Available) >= Math.Min(4, TrafficOf(f, 1) * 4 / 100),
            "traffic goes back to the stable revision only as fast as it has replicas for it");
        var last = result.Frames[^1];
        (Replicas(last, 1), TrafficOf(last, 1)).ShouldBe((4, 100));
    }
}
