using BenchmarkDotNet.Attributes;
using Fledge.Core.Rollouts;
using Fledge.Simulation;

namespace Fledge.Benchmarks;

/// <summary>
/// `fledge simulate` of a ten-minute rollout: 100 replicas, one at a time (maxSurge 1, maxUnavailable 0),
/// each ready 6 seconds after it starts: about 600 virtual seconds and 200 scaling moves.
/// </summary>
[MemoryDiagnoser]
public class SimulationBenchmarks
{
    private SimulationOptions _options = null!;

    [GlobalSetup]
    public void Setup()
    {
        var v1 = Rollouts.Rollout(Rollouts.Template("web:v1"), RolloutStatus.Empty);
        v1 = v1 with
        {
            Annotations = v1.Annotations.Clear(),
            Spec = v1.Spec with { Replicas = 100, Strategy = new RolloutStrategy(StrategyType.RollingUpdate, IntOrPercent.Count(1), IntOrPercent.Count(0)) },
        };
        var v2 = v1 with { Spec = v1.Spec with { Template = Rollouts.Template("web:v2") } };
        _options = new SimulationOptions(v1, [v2]) { ReadyAfter = TimeSpan.FromSeconds(6) };
    }

    [Benchmark]
    public double SimulateTenMinuteRollout()
    {
        var result = Simulator.Run(_options);
        return result.DurationSeconds;
    }
}
