namespace Fledge.Simulation.Tests;

/// <summary>The rollout behaviours the Kubernetes Up &amp; Running Deployments chapter describes, on the virtual clock.</summary>
public sealed class SimulatorTests
{
    private static SimulationResult Update(Fledge.Core.Rollouts.Rollout from, Fledge.Core.Rollouts.Rollout to, SimulationOptions? options = null) =>
        Simulator.Run((options ?? new SimulationOptions(from, [])) with { Initial = from, Updates = [to] });

    /// <summary>Frames from the moment the second version was applied.</summary>
    private static IReadOnlyList<Frame> DuringUpdate(SimulationResult result) =>
        result.Frames.Where(f => f.T >= result.Applies[1].T && f.Events.Count + f.ReplicaSets.Count > 0).ToList();

    private static int ScalingSteps(SimulationResult result) =>
        DuringUpdate(result).Sum(f => f.Events.Count(e => e.StartsWith("Scaled", StringComparison.Ordinal)));

    [Fact]
    public void Run_MaxUnavailableFiftyPercent_CompletesInFourStepsNeverBelowTwoAvailable()
    {
        var result = Update(
            Manifests.Deployment("web:v1", replicas: 4, maxSurge: "0", maxUnavailable: "50%"),
            Manifests.Deployment("web:v2", replicas: 4, maxSurge: "0", maxUnavailable: "50%"));

        result.Result.ShouldBe(SimulationOutcome.Complete);
        ScalingSteps(result).ShouldBe(4);
        DuringUpdate(result).Min(f => f.TotalAvailable).ShouldBe(2);
    }

    [Fact]
    public void Run_MaxUnavailableTwentyFivePercent_TakesTwiceTheStepsNeverBelowSeventyFivePercent()
    {
        var result = Update(
            Manifests.Deployment("web:v1", replicas: 4, maxSurge: "0", maxUnavailable: "25%"),
            Manifests.Deployment("web:v2", replicas: 4, maxSurge: "0", maxUnavailable: "25%"));

        result.Result.ShouldBe(SimulationOutcome.Complete);
        ScalingSteps(result).ShouldBe(8);
        DuringUpdate(result).Min(f => f.TotalAvailable).ShouldBe(3);
    }

    [Fact]
    public void Run_MaxUnavailableZeroSurgeTwentyPercent_NeverAboveTwelveNorBelowTenAvailable()
    {
        var result = Update(
            Manifests.Deployment("web:v1", replicas: 10, maxSurge: "20%", maxUnavailable: "0"),
            Manifests.Deployment("web:v2", replicas: 10, maxSurge: "20%", maxUnavailable: "0"));

        result.Result.ShouldBe(SimulationOutcome.Complete);
        var frames = DuringUpdate(result);
        frames.Max(f => f.TotalPods).ShouldBe(12);
        frames.Min(f => f.TotalAvailable).ShouldBe(10);
        frames.ShouldContain(f => f.ReplicaSets.Any(rs => rs.Revision == 2 && rs.Replicas == 2) && f.ReplicaSets.Any(rs => rs.Revision == 1 && rs.Replicas == 10));
        frames.ShouldContain(f => f.ReplicaSets.Any(rs => rs.Revision == 2 && rs.Replicas == 2) && f.ReplicaSets.Any(rs => rs.Revision == 1 && rs.Replicas == 8));
    }

    [Fact]
    public void Run_Recreate_BehavesAsRollingUpdateWithMaxUnavailableHundredPercent()
    {
        static IReadOnlyList<(int Old, int New)> Shape(SimulationResult result) =>
            DuringUpdate(result)
                .Select(f => (f.ReplicaSets.Where(rs => rs.Revision == 1).Sum(rs => rs.Replicas), f.ReplicaSets.Where(rs => rs.Revision == 2).Sum(rs => rs.Replicas)))
                .Aggregate(new List<(int, int)>(), (list, item) =>
                {
                    if (list.Count == 0 || list[^1] != item)
                    {
                        list.Add(item);
                    }

                    return list;
                });

        var recreate = Update(Manifests.Deployment("web:v1", replicas: 5, strategy: "Recreate"), Manifests.Deployment("web:v2", replicas: 5, strategy: "Recreate"));
        var rolling = Update(
            Manifests.Deployment("web:v1", replicas: 5, maxSurge: "0", maxUnavailable: "100%"),
            Manifests.Deployment("web:v2", replicas: 5, maxSurge: "0", maxUnavailable: "100%"));

        recreate.Result.ShouldBe(SimulationOutcome.Complete);
        rolling.Result.ShouldBe(SimulationOutcome.Complete);
        Shape(recreate).ShouldBe([(5, 0), (0, 0), (0, 5)]);
        Shape(rolling).ShouldBe(Shape(recreate));
        recreate.DurationSeconds.ShouldBe(rolling.DurationSeconds);
    }

    [Fact]
    public void Run_RecreateWithSlowTermination_StartsNewOnlyWhenOldAreGone()
    {
        var from = Manifests.Deployment("web:v1", replicas: 3, strategy: "Recreate");
        var options = new SimulationOptions(from, []) { TerminateAfter = TimeSpan.FromSeconds(5) };

        var result = Update(from, Manifests.Deployment("web:v2", replicas: 3, strategy: "Recreate"), options);

        result.Result.ShouldBe(SimulationOutcome.Complete);
        var firstNew = DuringUpdate(result).First(f => f.ReplicaSets.Any(rs => rs.Revision == 2 && rs.Replicas > 0));
        firstNew.T.ShouldBe(result.Applies[1].T + 5);
        DuringUpdate(result).ShouldAllBe(f => !(f.ReplicaSets.Any(rs => rs.Revision == 2 && rs.Replicas > 0) && f.ReplicaSets.Any(rs => rs.Revision == 1 && rs.Terminating > 0)));
    }

    [Fact]
    public void Run_NeverReadyVersion_ExceedsDeadlineWhileOldKeepsServing()
    {
        var from = Manifests.Deployment("web:v1", replicas: 10, progressDeadlineSeconds: 600);
        var options = new SimulationOptions(from, []) { NeverReadyImages = new HashSet<string> { "web:broken" } };

        var result = Update(from, Manifests.Deployment("web:broken", replicas: 10, progressDeadlineSeconds: 600), options);

        result.Result.ShouldBe(SimulationOutcome.ProgressDeadlineExceeded);
        (result.DurationSeconds - result.Applies[1].T).ShouldBeInRange(600, 602);
        DuringUpdate(result).ShouldAllBe(f => f.ReplicaSets.Where(rs => rs.Revision == 1).Sum(rs => rs.Available) >= 8);
        result.Conditions.Single(c => c.Type == "Progressing").Reason.ShouldBe("ProgressDeadlineExceeded");
        result.Conditions.Single(c => c.Type == "Available").Status.ShouldBe("True");
    }

    [Fact]
    public void Run_MinReadySeconds_DelaysAvailabilityAndTheNextStep()
    {
        var without = Update(Manifests.Deployment("web:v1", replicas: 2, maxSurge: "1", maxUnavailable: "0"),
            Manifests.Deployment("web:v2", replicas: 2, maxSurge: "1", maxUnavailable: "0"));
        var with = Update(Manifests.Deployment("web:v1", replicas: 2, maxSurge: "1", maxUnavailable: "0", minReadySeconds: 10),
            Manifests.Deployment("web:v2", replicas: 2, maxSurge: "1", maxUnavailable: "0", minReadySeconds: 10));

        (without.DurationSeconds - without.Applies[1].T).ShouldBe(2);
        (with.DurationSeconds - with.Applies[1].T).ShouldBe(22);
        with.Frames.ShouldContain(f => f.ReplicaSets.Any(rs => rs.Revision == 2 && rs.Ready == 1 && rs.Available == 0));
    }

    [Fact]
    public void Run_UndoTwice_RenumbersHistory()
    {
        var v1 = Manifests.Deployment("nginx:1.7.12", replicas: 3);
        var v2 = Manifests.Deployment("nginx:1.9.10", replicas: 3, changeCause: "Update nginx to 1.9.10");
        var v3 = Manifests.Deployment("nginx:1.10.2", replicas: 3, changeCause: "Update nginx to 1.10.2");
        var options = new SimulationOptions(v1, [v2, v3])
        {
            Events =
            [
                new ScriptedEvent(TimeSpan.FromSeconds(60), ScriptedAction.Undo, "60s:undo", 0),
                new ScriptedEvent(TimeSpan.FromSeconds(120), ScriptedAction.Undo, "120s:undo=3", 3),
            ],
        };

        var result = Simulator.Run(options);

        result.Result.ShouldBe(SimulationOutcome.Complete);
        result.History.Select(h => (h.Revision, h.ChangeCause)).ShouldBe(
            [(1L, null), (4L, "Update nginx to 1.9.10"), (5L, "Update nginx to 1.10.2")]);
        result.Applies.Select(a => a.Revision).ShouldBe([1L, 2L, 3L, 4L, 5L]);
        result.Frames[^1].ReplicaSets.ShouldHaveSingleItem().Image.ShouldBe("nginx:1.10.2");
    }

    [Fact]
    public void Run_ScaledMidRollout_EndsCompleteAtTheNewSize()
    {
        var v1 = Manifests.Deployment("web:v1", replicas: 10);
        var options = new SimulationOptions(v1, [Manifests.Deployment("web:v2", replicas: 10)])
        {
            ReadyAfter = TimeSpan.FromSeconds(10),
            Events = [new ScriptedEvent(TimeSpan.FromSeconds(15), ScriptedAction.Scale, "15s:scale=20", 20)],
        };

        var result = Simulator.Run(options);

        result.Result.ShouldBe(SimulationOutcome.Complete);
        var scaled = result.Frames.First(f => f.T >= 15 && f.Events.Any(e => e.Contains("scaled to 20", StringComparison.Ordinal)));
        scaled.ReplicaSets.Count.ShouldBe(2, "the scale arrived while both revisions were running");
        result.Frames[^1].ReplicaSets.ShouldHaveSingleItem().Replicas.ShouldBe(20);
        result.Frames.Max(f => f.TotalPods).ShouldBeLessThanOrEqualTo(25);
    }

    [Fact]
    public void Run_PausedThenResumed_StopsProgressThenCompletes()
    {
        var v1 = Manifests.Deployment("web:v1", replicas: 10);
        var paused = Simulator.Run(new SimulationOptions(v1, [Manifests.Deployment("web:v2", replicas: 10)])
        {
            ReadyAfter = TimeSpan.FromSeconds(10),
            Events = [new ScriptedEvent(TimeSpan.FromSeconds(15), ScriptedAction.Pause, "15s:pause")],
        });
        var resumed = Simulator.Run(new SimulationOptions(v1, [Manifests.Deployment("web:v2", replicas: 10)])
        {
            ReadyAfter = TimeSpan.FromSeconds(10),
            Events =
            [
                new ScriptedEvent(TimeSpan.FromSeconds(15), ScriptedAction.Pause, "15s:pause"),
                new ScriptedEvent(TimeSpan.FromSeconds(900), ScriptedAction.Resume, "900s:resume"),
            ],
        });

        paused.Result.ShouldBe(SimulationOutcome.Paused);
        paused.Frames[^1].ReplicaSets.Count.ShouldBe(2, "a paused rollout keeps both revisions");
        paused.Conditions.Single(c => c.Type == "Progressing").Reason.ShouldBe("DeploymentPaused");
        resumed.Result.ShouldBe(SimulationOutcome.Complete, "a pause longer than the deadline does not time out");
        resumed.DurationSeconds.ShouldBeGreaterThan(900);
    }

    [Fact]
    public void Run_NoDeadlineAndNeverReady_Stalls()
    {
        var v1 = Manifests.Deployment("web:v1", replicas: 2).WithoutDeadline();
        var result = Simulator.Run(new SimulationOptions(v1, [Manifests.Deployment("web:broken", replicas: 2).WithoutDeadline()])
        {
            NeverReadyImages = new HashSet<string> { "web:broken" },
        });

        result.Result.ShouldBe(SimulationOutcome.Stalled);
    }
}

internal static class RolloutExtensions
{
    public static Fledge.Core.Rollouts.Rollout WithoutDeadline(this Fledge.Core.Rollouts.Rollout rollout) =>
        rollout with { Spec = rollout.Spec with { ProgressDeadlineSeconds = null } };
}
