using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Fledge.Core.Manifests;
using Fledge.Core.Rollouts;
using Fledge.Tests;

namespace Fledge.Simulation.Tests;

/// <summary>
/// Every basic canary of Argo Rollouts' corpus, simulated from its first version to a second one as written: at each pause
/// it runs the canary and stable replica counts Argo settles at (tests/conformance/argo/expected-pauses.json).
/// </summary>
public sealed partial class ArgoExpectedPausesTests
{
    private static readonly JsonObject Expected = JsonNode.Parse(File.ReadAllText(ConformanceFiles.PathOf(Path.Combine("argo", "expected-pauses.json"))))!.AsObject();

    public static TheoryData<string> Examples => new(Expected.Select(e => e.Key).Where(k => !k.StartsWith('_')).Order(StringComparer.Ordinal));

    [Theory]
    [MemberData(nameof(Examples))]
    public void Example_SettlesAtArgosCountsInEachPause(string file)
    {
        var expected = Expected[file]!.AsArray().Select(p => (Canary: p![0]!.GetValue<int>(), Stable: p[1]!.GetValue<int>())).ToList();
        if (expected.Count == 0)
        {
            // Not a basic canary with pauses (a router, an experiment, no pause, blue-green): Argo's table has nothing for it
            return;
        }

        var text = File.ReadAllText(ConformanceFiles.PathOf(Path.Combine("argo", file)));
        var v1 = Canary(text, file).ShouldNotBeNull(file);

        var v2 = Canary(Image().Replace(text, m => $"{m.Value}-next"), file)!;
        var promotions = Enumerable.Range(1, 30).Select(i => new ScriptedEvent(TimeSpan.FromMinutes(10 * i), ScriptedAction.Promote, $"{10 * i}m:promote")).ToArray();

        var result = Simulator.Run(new SimulationOptions(v1, [v2]) { Events = promotions });

        result.Result.ShouldBe(SimulationOutcome.Complete, file);
        var pauses = new List<(int Canary, int Stable)>();
        var wasPaused = false;
        foreach (var frame in result.Frames)
        {
            var paused = frame.Phase == "Paused";
            if (paused && !wasPaused)
            {
                pauses.Add((frame.ReplicaSets.Where(rs => rs.Revision == 2).Sum(rs => rs.Replicas), frame.ReplicaSets.Where(rs => rs.Revision == 1).Sum(rs => rs.Replicas)));
            }

            wasPaused = paused;
        }

        pauses.ShouldBe(expected, file);
    }

    /// <summary>The file's canary Rollout without a router, or null when it has none (or one with a router or without steps).</summary>
    private static Rollout? Canary(string text, string file)
    {
        var loaded = ManifestLoader.Load(text, file);
        var obj = loaded.Objects.FirstOrDefault(o => o.Resource is RolloutResource { Spec.Strategy.Canary.TrafficRouting: null, Spec.Strategy.Canary.Steps.Count: > 0 });
        if (obj is null)
        {
            return null;
        }

        var (rollout, errors) = RolloutReader.Read(obj);
        errors.ShouldBeEmpty(file);

        // The table is about replica counts: the analyses (templates in other files, Argo's job provider) are left out
        var canary = rollout!.Spec.Strategy.Canary!;
        canary = canary with { Steps = [.. canary.Steps.Where(s => s is not AnalysisStep)], Analysis = null };
        return rollout with { Spec = rollout.Spec with { Strategy = rollout.Spec.Strategy with { Canary = canary } } };
    }

    [GeneratedRegex(@"(?<=image: *)\S+")]
    private static partial Regex Image();
}
