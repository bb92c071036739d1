using System.Text.Json.Nodes;
using Fledge.Core.Planning;
using Fledge.Core.Rollouts;
using Fledge.Tests;

namespace Fledge.Core.Tests.Planning;

/// <summary>
/// Argo Rollouts' own test tables of its canary replica arithmetic (tests/conformance/argo/canary-cases.json, from
/// utils/replicaset/canary_test.go), row by row, against <see cref="CanaryReplicaCounts"/>.
/// </summary>
public sealed class ArgoCanaryCasesTests
{
    private static readonly JsonObject Cases = JsonNode.Parse(File.ReadAllText(ConformanceFiles.PathOf(Path.Combine("argo", "canary-cases.json"))))!.AsObject();

    public static TheoryData<int> Approximations => Rows("approximate");

    public static TheoryData<int> Passes => Rows("calculate");

    public static TheoryData<int> Singles => Rows("single");

    public static TheoryData<int> DynamicScales => Rows("dynamic_stable_scale");

    [Theory]
    [MemberData(nameof(Approximations))]
    public void Approximate_IsArgosApproximateWeightedCanaryStableReplicaCounts(int index)
    {
        var row = Row("approximate", index);
        row["maxWeight"]!.GetValue<int>().ShouldBe(100);

        var counts = CanaryReplicaCounts.Approximate(Int(row, "replicas"), Int(row, "weight"), Int(row, "maxSurge"));

        counts.ShouldBe((Int(row, "expCanary"), Int(row, "expStable")), row.ToJsonString());
    }

    [Theory]
    [MemberData(nameof(Passes))]
    public void OnePass_IsArgosCalculateReplicaCounts(int index) => Check(Row("calculate", index));

    [Theory]
    [MemberData(nameof(Singles))]
    public void OnePass_OfArgosSingleCases(int index) => Check(Row("single", index));

    /// <summary>
    /// trafficRouting with dynamicStableScale (maxSurge 0, maxUnavailable 1): the stable revision follows the larger of its desired
    /// and its actual traffic share; an aborted canary keeps the replicas its traffic still needs, and while both replica sets
    /// exist the weight walks back down the steps.
    /// </summary>
    [Theory]
    [MemberData(nameof(DynamicScales))]
    public void DynamicStableScale_IsArgosTrafficRoutedCounts(int index)
    {
        var row = Row("dynamic_stable_scale", index);
        var replicas = Int(row, "rolloutReplicas");
        var aborted = row["rolloutAbort"]?.GetValue<bool>() == true;
        var steps = new[] { Int(row, "rolloutMaxReplicas") }.Concat((row["steps"]?.AsArray() ?? []).Select(s => s!["setWeight"]!.GetValue<int>())).ToList();
        var actual = (Int(row, "canaryWeight"), Int(row, "stableWeight"));
        var replicaSetsExist = Int(row, "canaryRSReplicas") > 0 && Int(row, "stableRSReplicas") > 0;
        var weight = !aborted ? steps[0] : replicaSetsExist ? CanaryReplicaCounts.AbortStepWeight(steps, actual.Item1) : 0;

        var counts = CanaryReplicaCounts.TrafficRouted(replicas, weight, null, null, dynamicStableScale: true, actual, aborted);

        counts.ShouldBe((Int(row, "expectedCanaryReplicas"), Int(row, "expectedStableReplicas")), row.ToJsonString());
    }

    /// <summary>One row: a rollout with one step (setWeight and maybe setCanaryScale), stable "stable", canary "canary".</summary>
    private static void Check(JsonObject row)
    {
        var replicas = Int(row, "rolloutSpecReplicas");
        var (maxSurge, maxUnavailable) = Fenceposts.Resolve(IntOrPercentOf(row["maxSurge"]), IntOrPercentOf(row["maxUnavailable"]), replicas);
        maxUnavailable = Math.Min(maxUnavailable, replicas);
        var aborted = row["statusAbort"]?.GetValue<bool>() == true;
        var weight = row["promoteFull"]?.GetValue<bool>() == true ? 100 : aborted ? 0 : Int(row, "setWeight");
        var stable = new ReplicaCount(Int(row, "stableSpecReplica"), Int(row, "stableAvailableReplica"));
        var same = row["sameRS"]?.GetValue<bool>() == true;
        var canary = same ? stable : new ReplicaCount(Int(row, "canarySpecReplica"), Int(row, "canaryAvailableReplica"));

        (int Canary, int Stable) counts;
        if (row["trafficRouting"]?.GetValue<bool>() == true)
        {
            // setCanaryScale counts unless it matches the traffic weight, or the canary was aborted with a scale-down delay
            var scale = row["setCanaryScale"] as JsonObject;
            var keepScale = scale is not null && scale["matchTrafficWeight"]?.GetValue<bool>() != true
                && (!aborted || row["abortScaleDownDelaySeconds"]?.GetValue<int>() == 0);
            var scaleReplicas = keepScale ? scale!["replicas"]?.GetValue<int>() : null;
            if (keepScale && scale!["weight"]?.GetValue<int>() is { } scaleWeight && scaleReplicas is null)
            {
                weight = scaleWeight;
            }

            counts = CanaryReplicaCounts.TrafficRouted(replicas, weight, scaleReplicas, row["minPodsPerReplicaSet"]?.GetValue<int>(), dynamicStableScale: false);
        }
        else
        {
            var older = row["olderRS"]?["spec"]?.GetValue<int>() ?? 0;
            counts = CanaryReplicaCounts.Basic(replicas, weight, maxSurge, maxUnavailable, canary, same ? null : stable, older);
        }

        counts.ShouldBe((Int(row, "expectedCanaryReplicaCount"), Int(row, "expectedStableReplicaCount")), row.ToJsonString());
    }

    private static TheoryData<int> Rows(string table) => new(Enumerable.Range(0, Cases[table]!["rows"]!.AsArray().Count));

    private static JsonObject Row(string table, int index) => Cases[table]!["rows"]![index]!.AsObject();

    private static int Int(JsonObject row, string field) => row[field]?.GetValue<int>() ?? 0;

    private static IntOrPercent IntOrPercentOf(JsonNode? node) => node switch
    {
        null => IntOrPercent.Count(0),
        JsonValue value when value.TryGetValue<int>(out var count) => IntOrPercent.Count(count),
        _ => IntOrPercent.TryParse(node.GetValue<string>(), out var parsed) ? parsed : throw new FormatException(node.ToJsonString()),
    };
}
