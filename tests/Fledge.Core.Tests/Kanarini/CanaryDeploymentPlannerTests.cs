using Fledge.Core.Kanarini;
using Fledge.Core.Manifests;
using Fledge.Core.Planning;
using Fledge.Core.Rollouts;

namespace Fledge.Core.Tests.Kanarini;

/// <summary>Kanarini's reconcile, pass by pass, on the sample CanaryDeployment (1 canary, 3 stable, target 0.1 after 20 s).</summary>
public sealed class CanaryDeploymentPlannerTests
{
    private static readonly DateTimeOffset T0 = Given.T0;

    /// <summary>The sample with another image (and generation), carrying the given status.</summary>
    private static CanaryDeployment Read(string image = "fledge/hello:v1", long generation = 1, CanaryDeploymentStatus? status = null)
    {
        var text = SampleFiles.Read("kanarini/hello-canarydeployment.yaml").Replace("fledge/hello:v1", image, StringComparison.Ordinal);
        var loaded = ManifestLoader.Load(text, "cd.yaml");
        loaded.Errors.ShouldBeEmpty();
        var (cd, errors) = CanaryDeploymentReader.Read(loaded.Objects.Single());
        errors.ShouldBeEmpty();
        return cd! with { Generation = generation, Status = status ?? CanaryDeploymentStatus.Empty };
    }

    private static RolloutPlan Plan(CanaryDeployment cd, TrackObservation? canary = null, TrackObservation? stable = null, int second = 0) =>
        CanaryDeploymentPlanner.Plan(new CanaryDeploymentSnapshot(cd, canary, stable, T0.AddSeconds(second)));

    private static CanaryDeploymentStatus StatusOf(RolloutPlan plan) => plan.Actions.OfType<UpdateCanaryDeploymentStatus>().Last().Status;

    private static TrackObservation Ready(string hash, int replicas) => new(Owned: true, hash, replicas, Ready: true);

    /// <summary>Runs v1 through to Ready: canary created, checked with a value below target, stable created.</summary>
    private static (CanaryDeployment Cd, string Hash) RolledOutV1()
    {
        var cd = Read();
        cd = cd with { Status = StatusOf(Plan(cd)) };
        var hash = cd.Template.Hash;
        cd = cd with { Status = StatusOf(Plan(cd, Ready(hash, 1))) };
        var check = MetricsCheck.Due(cd, Ready(hash, 1), T0.AddSeconds(20)).ShouldNotBeNull();
        cd = cd with { Status = MetricsCheck.Record(cd, check, [new MetricValue("Service/hello-canary request_failure_rate:1m", 0.0, 0.1)], T0.AddSeconds(20))!.Value.Status };
        cd = cd with { Status = StatusOf(Plan(cd, Ready(hash, 1), Ready(hash, 3), 21)) };
        return (cd, hash);
    }

    [Fact]
    public void Plan_NewGeneration_RecordsTemplateAndClearsConditions()
    {
        var cd = Read(status: CanaryDeploymentStatus.Empty.WithCondition(KanariniReasons.Ready, ConditionStatus.True, KanariniReasons.DoneReady, "old", T0));

        var status = StatusOf(Plan(cd));

        status.ObservedGeneration.ShouldBe(1);
        status.ObservedTemplateHash.ShouldBe(cd.Template.Hash);
        status.Conditions.ShouldBeEmpty();
    }

    [Fact]
    public void Plan_NoTracks_CreatesCanaryTrackOnlyWithTrackLabelsAndTemplateHash()
    {
        var cd = Read();
        cd = cd with { Status = StatusOf(Plan(cd)) };

        var plan = Plan(cd);

        var apply = plan.Actions.OfType<ApplyTrackDeployment>().ShouldHaveSingleItem();
        apply.Track.ShouldBe(TrackName.Canary);
        apply.Deployment.Metadata.Name.ShouldBe("hello-canary");
        apply.Deployment.Spec.Replicas.ShouldBe(1);
        apply.Deployment.Spec.Selector.MatchLabels.ShouldBe(new Dictionary<string, string> { ["app"] = "hello", ["track"] = "canary" });
        apply.Deployment.Spec.Template.Metadata.Labels["track"].ShouldBe("canary");
        apply.Deployment.Metadata.Annotations[CanaryDeployment.TemplateHashAnnotation].ShouldBe(cd.Template.Hash);
        apply.Deployment.Metadata.OwnerReferences.ShouldHaveSingleItem().Kind.ShouldBe("CanaryDeployment");
        plan.Actions.OfType<RecordEvent>().ShouldHaveSingleItem().EventReason.ShouldBe(KanariniReasons.CreatedDeployment);
        StatusOf(plan).Condition(KanariniReasons.Progressing)!.Reason.ShouldBe(KanariniReasons.NewDeploymentCreated);
    }

    [Fact]
    public void Plan_CanaryNotReady_WaitsWithoutTouchingStable()
    {
        var cd = Read();
        cd = cd with { Status = StatusOf(Plan(cd)) };

        var plan = Plan(cd, new TrackObservation(true, cd.Template.Hash, 1, Ready: false));

        plan.Actions.ShouldBeEmpty();
        plan.RequeueAfter.ShouldNotBeNull();
    }

    [Fact]
    public void Plan_CanaryReady_RecordsCheckpointAndDelaysTheCheck()
    {
        var cd = Read();
        cd = cd with { Status = StatusOf(Plan(cd)) };
        var canary = Ready(cd.Template.Hash, 1);

        var plan = Plan(cd, canary, second: 5);

        var checkpoint = StatusOf(plan).CanaryDeploymentReadyStatusCheckpoint.ShouldNotBeNull();
        checkpoint.TemplateHash.ShouldBe(cd.Template.Hash);
        checkpoint.LatestReadyTimestamp.ShouldBe(T0.AddSeconds(5));
        checkpoint.MetricCheckResult.ShouldBe(MetricCheckResult.Unknown);
        plan.Actions.OfType<RecordEvent>().ShouldHaveSingleItem().Message.ShouldBe("Delay metrics check by configured delay: 20s");
        plan.RequeueAfter.ShouldBe(TimeSpan.FromSeconds(20));
    }

    [Fact]
    public void Due_OnlyAfterTheDelayAndWhileUnknown()
    {
        var cd = Read();
        cd = cd with { Status = StatusOf(Plan(cd)) };
        var canary = Ready(cd.Template.Hash, 1);
        cd = cd with { Status = StatusOf(Plan(cd, canary)) };

        MetricsCheck.Due(cd, canary, T0.AddSeconds(19)).ShouldBeNull();
        MetricsCheck.Due(cd, canary with { Ready = false }, T0.AddSeconds(20)).ShouldBeNull();
        var due = MetricsCheck.Due(cd, canary, T0.AddSeconds(20)).ShouldNotBeNull();
        due.Since.ShouldBe(T0);
        due.Metrics.ShouldHaveSingleItem().Display.ShouldBe("Service/hello-canary request_failure_rate:1m");
        due.Metrics[0].Target.ShouldBe(0.1);

        var recorded = MetricsCheck.Record(cd, due, [new MetricValue("m", 0.01, 0.1)], T0.AddSeconds(20))!.Value.Status;
        MetricsCheck.Due(cd with { Status = recorded }, canary, T0.AddSeconds(30)).ShouldBeNull();
    }

    [Fact]
    public void Plan_UntilCheckedAndBelowTarget_StableTrackIsNotCreated()
    {
        var cd = Read();
        cd = cd with { Status = StatusOf(Plan(cd)) };
        var canary = Ready(cd.Template.Hash, 1);
        cd = cd with { Status = StatusOf(Plan(cd, canary)) };

        var plan = Plan(cd, canary, second: 25);

        plan.Actions.ShouldBeEmpty();
    }

    [Fact]
    public void GoodTemplate_GoesToStableTrackAndEndsReady()
    {
        var (cd, hash) = RolledOutV1();

        cd.Status.LatestSuccessfulDeploymentSnapshot!.TemplateHash.ShouldBe(hash);
        cd.Status.Condition(KanariniReasons.Ready)!.Status.ShouldBe(ConditionStatus.True);
        cd.Status.Condition(KanariniReasons.Ready)!.Reason.ShouldBe(KanariniReasons.DoneReady);
        cd.Status.Condition(KanariniReasons.Progressing)!.Reason.ShouldBe(KanariniReasons.DoneProcessing);
        cd.Status.Condition(KanariniReasons.Failure).ShouldBeNull();
        Plan(cd, Ready(hash, 1), Ready(hash, 3), 30).Actions.ShouldBeEmpty();
    }

    [Fact]
    public void StableTrack_IsCreatedWithTheCheckedTemplateOnceTheCheckSucceeded()
    {
        var cd = Read();
        cd = cd with { Status = StatusOf(Plan(cd)) };
        var canary = Ready(cd.Template.Hash, 1);
        cd = cd with { Status = StatusOf(Plan(cd, canary)) };
        var due = MetricsCheck.Due(cd, canary, T0.AddSeconds(20))!;
        cd = cd with { Status = MetricsCheck.Record(cd, due, [new MetricValue("m", 0.099, 0.1)], T0.AddSeconds(20))!.Value.Status };

        var apply = Plan(cd, canary, second: 21).Actions.OfType<ApplyTrackDeployment>().ShouldHaveSingleItem();

        apply.Track.ShouldBe(TrackName.Stable);
        apply.Deployment.Metadata.Name.ShouldBe("hello-stable");
        apply.Deployment.Spec.Replicas.ShouldBe(3);
        apply.Deployment.Spec.Selector.MatchLabels["track"].ShouldBe("stable");
    }

    [Fact]
    public void BadTemplate_ValueAtTarget_FailsAndCanaryGoesBackToLastGoodWhileStableIsUntouched()
    {
        var (v1, v1Hash) = RolledOutV1();
        var cd = Read("fledge/hello:v2", generation: 2, status: v1.Status);
        cd = cd with { Status = StatusOf(Plan(cd)) };
        var v2Hash = cd.Template.Hash;
        var stable = Ready(v1Hash, 3);

        var update = Plan(cd, Ready(v1Hash, 1), stable);
        var canaryUpdate = update.Actions.OfType<ApplyTrackDeployment>().ShouldHaveSingleItem();
        canaryUpdate.Track.ShouldBe(TrackName.Canary);
        canaryUpdate.Deployment.Spec.Template.Spec.Containers[0].Image.ShouldBe("fledge/hello:v2");
        cd = cd with { Status = StatusOf(update) };

        cd = cd with { Status = StatusOf(Plan(cd, Ready(v2Hash, 1), stable, 40)) };
        var due = MetricsCheck.Due(cd, Ready(v2Hash, 1), T0.AddSeconds(60)).ShouldNotBeNull();
        var (failed, events) = MetricsCheck.Record(cd, due, [new MetricValue("Service/hello-canary request_failure_rate:1m", 0.1, 0.1)], T0.AddSeconds(60))!.Value;
        failed.LatestFailedDeploymentSnapshot!.TemplateHash.ShouldBe(v2Hash);
        failed.LatestSuccessfulDeploymentSnapshot!.TemplateHash.ShouldBe(v1Hash);
        events.Select(e => e.EventReason).ShouldBe([KanariniReasons.MetricsCheckResult, KanariniReasons.MetricsCheckUnsuccessful]);
        events[1].Message.ShouldContain("Service/hello-canary request_failure_rate:1m = 0.1 (at or above target 0.1)");
        cd = cd with { Status = failed };

        var rollback = Plan(cd, Ready(v2Hash, 1), stable, 61).Actions.OfType<ApplyTrackDeployment>().ShouldHaveSingleItem();
        rollback.Track.ShouldBe(TrackName.Canary);
        rollback.Deployment.Spec.Template.Spec.Containers[0].Image.ShouldBe("fledge/hello:v1");
        rollback.Deployment.Metadata.Annotations[CanaryDeployment.TemplateHashAnnotation].ShouldBe(v1Hash);

        var done = Plan(cd, Ready(v1Hash, 1), stable, 70);
        done.Actions.OfType<ApplyTrackDeployment>().ShouldBeEmpty();
        var final = StatusOf(done);
        final.Condition(KanariniReasons.Failure)!.Reason.ShouldBe(KanariniReasons.DoneFailure);
        final.Condition(KanariniReasons.Failure)!.Message.ShouldBe("Finished rolling back to the latest stable spec");
        final.Condition(KanariniReasons.Ready).ShouldBeNull();
    }

    [Fact]
    public void FirstTemplateFailing_StopsWithFailureAndNoStableTrack()
    {
        var cd = Read();
        cd = cd with { Status = StatusOf(Plan(cd)) };
        var canary = Ready(cd.Template.Hash, 1);
        cd = cd with { Status = StatusOf(Plan(cd, canary)) };
        var due = MetricsCheck.Due(cd, canary, T0.AddSeconds(20))!;
        cd = cd with { Status = MetricsCheck.Record(cd, due, [new MetricValue("m", 0.5, 0.1)], T0.AddSeconds(20))!.Value.Status };

        var plan = Plan(cd, canary, second: 21);

        plan.Actions.OfType<ApplyTrackDeployment>().ShouldBeEmpty();
        StatusOf(plan).Condition(KanariniReasons.Failure)!.Reason.ShouldBe(KanariniReasons.MetricsCheckUnsuccessful);
        Plan(cd with { Status = StatusOf(plan) }, canary, second: 22).Actions.ShouldBeEmpty();
    }

    [Fact]
    public void TemplateThatSucceededBefore_SkipsTheCheck()
    {
        var (v1, v1Hash) = RolledOutV1();
        var cd = Read(generation: 2, status: v1.Status) with { Canary = v1.Canary with { Replicas = 2 } };
        cd = cd with { Status = StatusOf(Plan(cd)) };

        var scale = Plan(cd, Ready(v1Hash, 1), Ready(v1Hash, 3)).Actions.OfType<ApplyTrackDeployment>().ShouldHaveSingleItem();
        scale.Deployment.Spec.Replicas.ShouldBe(2);

        var plan = Plan(cd, Ready(v1Hash, 2), Ready(v1Hash, 3));
        plan.Actions.OfType<UpdateCanaryDeploymentStatus>().ShouldHaveSingleItem().Status.Condition(KanariniReasons.Ready)!.Status.ShouldBe(ConditionStatus.True);
    }

    [Fact]
    public void Record_AfterTheTemplateChanged_IsIgnored()
    {
        var cd = Read();
        cd = cd with { Status = StatusOf(Plan(cd)) };
        var canary = Ready(cd.Template.Hash, 1);
        cd = cd with { Status = StatusOf(Plan(cd, canary)) };
        var due = MetricsCheck.Due(cd, canary, T0.AddSeconds(20))!;
        var changed = Read("fledge/hello:v9", 2, cd.Status);

        MetricsCheck.Record(changed, due, [new MetricValue("m", 0.0, 0.1)], T0.AddSeconds(20)).ShouldBeNull();
    }

    [Fact]
    public void Plan_DeploymentOfTheTrackNameNotOwned_ReportsConflictAndChangesNothing()
    {
        var cd = Read();
        cd = cd with { Status = StatusOf(Plan(cd)) };

        var plan = Plan(cd, new TrackObservation(Owned: false, null, 2, Ready: true));

        plan.Actions.OfType<ApplyTrackDeployment>().ShouldBeEmpty();
        var condition = StatusOf(plan).Condition(KanariniReasons.Progressing)!;
        condition.Reason.ShouldBe(KanariniReasons.DeploymentCreateError);
        condition.Message.ShouldBe("New Deployment conflicts with existing one: \"hello-canary\"");
    }
}
