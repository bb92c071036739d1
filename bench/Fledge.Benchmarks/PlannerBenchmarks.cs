using BenchmarkDotNet.Attributes;
using Fledge.Core.Planning;

namespace Fledge.Benchmarks;

/// <summary>One planner pass for one rollout, by length of its revision history.</summary>
[MemoryDiagnoser]
public class PlannerBenchmarks
{
    private RolloutSnapshot _waiting = null!;
    private RolloutSnapshot _scaling = null!;

    [Params(2, 10, 100)]
    public int History { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _waiting = Rollouts.MidRollout(History);
        _scaling = Rollouts.MidRollout(History, newAvailable: 3);
    }

    /// <summary>New replicas are not available yet: nothing to do but check the deadline.</summary>
    [Benchmark]
    public RolloutPlan PassWaiting() => Planner.Plan(_waiting);

    /// <summary>Three new replicas became available: scale the old replica set down.</summary>
    [Benchmark]
    public RolloutPlan PassScaling() => Planner.Plan(_scaling);
}

/// <summary>A pass over 10,000 rollouts, each mid-update with 10 revisions; reported per rollout.</summary>
[MemoryDiagnoser]
public class FleetBenchmarks
{
    private const int Count = 10_000;
    private RolloutSnapshot[] _snapshots = null!;

    [GlobalSetup]
    public void Setup()
    {
        var template = Rollouts.Template("web:new");
        var old = Rollouts.Template("web:old");
        _snapshots = Enumerable.Range(0, Count).Select(_ => Rollouts.MidRollout(10, template, old)).ToArray();
    }

    [Benchmark(OperationsPerInvoke = Count)]
    public int PassOverTenThousandRollouts()
    {
        var actions = 0;
        foreach (var snapshot in _snapshots)
        {
            actions += Planner.Plan(snapshot).Actions.Length;
        }

        return actions;
    }
}
