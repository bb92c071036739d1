using System.Collections.Immutable;
using Fledge.Core.Planning;
using Fledge.Core.Rollouts;

namespace Fledge.Core.Tests.Planning;

public sealed class RevisionTests
{
    /// <summary>Applies a plan's replica set actions to a list, as a platform would.</summary>
    private static List<ReplicaSetState> Apply(List<ReplicaSetState> sets, RolloutPlan plan)
    {
        foreach (var action in plan.Actions)
        {
            switch (action)
            {
                case CreateReplicaSet create:
                    sets.Add(create.ReplicaSet);
                    break;
                case AnnotateReplicaSet annotate:
                    var i = sets.FindIndex(s => s.Name == annotate.Name);
                    sets[i] = annotate.ApplyTo(sets[i]);
                    break;
                case DeleteReplicaSet delete:
                    sets.RemoveAll(s => s.Name == delete.Name);
                    break;
            }
        }

        return sets;
    }

    private static Rollout WithCause(Rollout rollout, string cause) =>
        rollout with { Annotations = rollout.Annotations.SetItem(Annotations.ChangeCause, cause) };

    [Fact]
    public void Undo_Twice_RenumbersAsKubernetesDoes()
    {
        // History 1, 2, 3 -> undo -> 1, 3, 4 -> undo --to-revision=3 -> 1, 4, 5 (the Up & Running example).
        var sets = new List<ReplicaSetState>
        {
            Given.ReplicaSet("nginx:1.7.12", 0, 1) with { Annotations = ImmutableSortedDictionary<string, string>.Empty },
            Given.ReplicaSet("nginx:1.9.10", 0, 2, createdSecond: 10) with
            {
                Annotations = ImmutableSortedDictionary<string, string>.Empty.Add(Annotations.ChangeCause, "Update nginx to 1.9.10"),
            },
            Given.ReplicaSet("nginx:1.10.2", 3, 3, createdSecond: 20) with
            {
                Annotations = ImmutableSortedDictionary<string, string>.Empty.Add(Annotations.ChangeCause, "Update nginx to 1.10.2"),
            },
        };
        var rollout = WithCause(Given.Rollout(replicas: 3, image: "nginx:1.10.2"), "Update nginx to 1.10.2");

        var undo = Rollback.Undo(rollout, sets, 0);
        undo.Revision.ShouldBe(2);
        undo.Rollout!.ChangeCause.ShouldBe("Update nginx to 1.9.10");
        Apply(sets, Given.Plan(undo.Rollout, [.. sets]));
        History.Of(sets).Select(h => (h.Revision, h.ChangeCause))
            .ShouldBe([(1L, null), (3L, "Update nginx to 1.10.2"), (4L, "Update nginx to 1.9.10")]);
        sets.Single(s => s.Revision == 4).RevisionHistory.ShouldBe("2");

        var second = Rollback.Undo(undo.Rollout, sets, 3);
        Apply(sets, Given.Plan(second.Rollout!, [.. sets]));
        History.Of(sets).Select(h => (h.Revision, h.ChangeCause))
            .ShouldBe([(1L, null), (4L, "Update nginx to 1.9.10"), (5L, "Update nginx to 1.10.2")]);
        sets.Single(s => s.Revision == 5).RevisionHistory.ShouldBe("3");
    }

    [Fact]
    public void Undo_UnknownRevision_FailsNamingIt()
    {
        var result = Rollback.Undo(Given.Rollout(), [Given.ReplicaSet("web:v2", 10, 1)], 7);

        result.Failed.ShouldBeTrue();
        result.Message.ShouldBe("unable to find specified revision 7 in history");
    }

    [Fact]
    public void Undo_NoPreviousRevision_Fails()
    {
        var result = Rollback.Undo(Given.Rollout(), [Given.ReplicaSet("web:v2", 10, 1)], 0);

        result.Failed.ShouldBeTrue();
        result.Message.ShouldContain("no rollout history found");
    }

    [Fact]
    public void Undo_ToCurrentTemplate_IsSkipped()
    {
        var result = Rollback.Undo(Given.Rollout(), [Given.ReplicaSet("web:v1", 0, 1), Given.ReplicaSet("web:v2", 10, 2)], 2);

        result.Failed.ShouldBeFalse();
        result.Changed.ShouldBeFalse();
        result.Message.ShouldBe("skipped rollback (current template already matches revision 2)");
    }

    [Fact]
    public void Undo_PausedRollout_IsRefused()
    {
        var result = Rollback.Undo(Given.Rollout(paused: true), [Given.ReplicaSet("web:v1", 0, 1), Given.ReplicaSet("web:v2", 10, 2)], 0);

        result.Failed.ShouldBeTrue();
        result.Message.ShouldContain("resume it first");
    }

    [Fact]
    public void AppendHistory_PastTwoThousandCharacters_DropsOldestEntries()
    {
        var history = string.Join(',', Enumerable.Range(1000, 400));

        var appended = Revisions.AppendHistory(history, 9999);

        appended.Length.ShouldBeLessThanOrEqualTo(Revisions.MaxRevisionHistoryLength);
        appended.ShouldEndWith(",9999");
        appended.ShouldNotStartWith("1000,");
    }

    [Fact]
    public void Plan_CompleteWithHistoryBeyondLimit_DeletesOldestScaledDownRevisions()
    {
        var status = RolloutStatus.Empty with { ObservedGeneration = 1, Replicas = 3, UpdatedReplicas = 3, ReadyReplicas = 3, AvailableReplicas = 3 };
        var plan = Given.Plan(Given.Rollout(replicas: 3, revisionHistoryLimit: 2, status: status),
            Given.ReplicaSet("web:v1", 0, 1, createdSecond: 1),
            Given.ReplicaSet("web:v3", 0, 3, createdSecond: 3),
            Given.ReplicaSet("web:v4", 0, 4, createdSecond: 4),
            Given.ReplicaSet("web:v0", 0, 5, createdSecond: 5),
            Given.ReplicaSet("web:v2", 3, 6, createdSecond: 6));

        plan.Actions.OfType<DeleteReplicaSet>().Select(d => d.Revision).ShouldBe([1L, 3L]);
    }

    [Fact]
    public void Plan_HistoryBeyondLimitButOldestStillRunning_SkipsItWithoutReplacingIt()
    {
        var status = RolloutStatus.Empty with { ObservedGeneration = 1, Replicas = 3, UpdatedReplicas = 3, ReadyReplicas = 3, AvailableReplicas = 3 };
        var plan = Given.Plan(Given.Rollout(replicas: 3, revisionHistoryLimit: 1, status: status),
            Given.ReplicaSet("web:v1", 0, 1, observed: 1, createdSecond: 1),
            Given.ReplicaSet("web:v3", 0, 3, createdSecond: 3),
            Given.ReplicaSet("web:v4", 0, 4, createdSecond: 4),
            Given.ReplicaSet("web:v2", 3, 5, createdSecond: 5));

        plan.Actions.OfType<DeleteReplicaSet>().Select(d => d.Revision).ShouldBe([3L]);
    }

    [Fact]
    public void Plan_RolloutStillProgressing_DeletesNothing()
    {
        var plan = Given.Plan(Given.Rollout(replicas: 3, revisionHistoryLimit: 0),
            Given.ReplicaSet("web:v1", 0, 1, createdSecond: 1),
            Given.ReplicaSet("web:v2", 3, 2, available: 1, createdSecond: 5));

        plan.Actions.OfType<DeleteReplicaSet>().ShouldBeEmpty();
    }

    [Fact]
    public void Plan_ChangeCauseOnRollout_IsCopiedToNewReplicaSet()
    {
        var plan = Given.Plan(WithCause(Given.Rollout(), "deploy v2"), Given.ReplicaSet("web:v1", 10, 1));

        plan.Actions.OfType<CreateReplicaSet>().Single().ReplicaSet.ChangeCause.ShouldBe("deploy v2");
    }

    [Fact]
    public void Plan_NameCollision_BumpsCollisionCountAndUsesAnotherName()
    {
        var rollout = Given.Rollout();
        var squatter = Given.ReplicaSet("web:v1", 0, 1) with { Name = $"web-{rollout.Spec.Template.Hash}" };

        var plan = Given.Plan(rollout, squatter);

        var created = plan.Actions.OfType<CreateReplicaSet>().Single().ReplicaSet;
        created.Name.ShouldNotBe(squatter.Name);
        plan.WrittenStatus().CollisionCount.ShouldBe(1);
    }
}
