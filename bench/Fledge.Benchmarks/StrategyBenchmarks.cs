using System.Collections.Immutable;
using BenchmarkDotNet.Attributes;
using Fledge.Core.Kanarini;
using Fledge.Core.Manifests;
using Fledge.Core.Planning;
using Fledge.Core.Rollouts;

namespace Fledge.Benchmarks;

/// <summary>
/// The passes a controller repeats most for the custom strategies: a routed canary paused at 20% (stable and
/// canary replica sets, nothing to do), and a Kanarini CanaryDeployment waiting for its metrics check.
/// </summary>
[MemoryDiagnoser]
public class StrategyBenchmarks
{
    private const string Canary = """
        apiVersion: fledge.io/v1alpha1
        kind: Rollout
        metadata: {name: web}
        spec:
          replicas: 10
          selector: {matchLabels: {app: web}}
          strategy:
            canary:
              canaryService: web-canary
              stableService: web
              trafficRouting: {}
              steps:
              - setWeight: 20
              - pause: {}
              - setWeight: 50
          template:
            metadata: {labels: {app: web}}
            spec: {containers: [{name: web, image: "web:new"}]}
        """;

    private const string CanaryDeploymentYaml = """
        apiVersion: kanarini.nilebox.github.com/v1alpha1
        kind: CanaryDeployment
        metadata: {name: web}
        spec:
          selector: {matchLabels: {app: web}}
          template:
            metadata: {labels: {app: web}}
            spec: {containers: [{name: web, image: "web:new"}]}
          tracks:
            canary:
              replicas: 1
              labels: {track: canary}
              metricsCheckDelaySeconds: 120
              metrics:
              - type: Object
                object:
                  describedObject: {kind: Service, name: web-canary}
                  metric: {name: "request_failure_rate:1m"}
                  target: {type: Value, value: 0.1}
            stable:
              replicas: 9
              labels: {track: stable}
        """;

    private RolloutSnapshot _paused = null!;
    private CanaryDeploymentSnapshot _checking = null!;

    [GlobalSetup]
    public void Setup()
    {
        var rollout = RolloutReader.Read(ManifestLoader.Load(Canary, "canary.yaml").Objects.Single()).Rollout!;
        var old = Rollouts.Template("web:old");
        ImmutableArray<ReplicaSetState> sets =
        [
            new("web-old", old, Rollouts.T0, 1, 10, 10, 10, 10),
            new("web-new", rollout.Spec.Template, Rollouts.T0.AddSeconds(60), 2, 2, 2, 2, 2),
        ];
        rollout = rollout with
        {
            Annotations = rollout.Annotations.Add(Annotations.Revision, "2"),
            Status = RolloutStatus.Empty with { ObservedGeneration = 1, Canary = CanaryStatus.Initial with { StableReplicaSet = "web-old" } },
        };
        _paused = Settle(new RolloutSnapshot(rollout, sets, Rollouts.T0.AddMinutes(5)));
        if (_paused.Rollout.Status.Canary is not { Phase: RolloutPhases.Paused, Weight: 20 })
        {
            throw new InvalidOperationException($"the canary benchmark should be paused at 20%, not {_paused.Rollout.Status.Canary}");
        }

        var cd = CanaryDeploymentReader.Read(ManifestLoader.Load(CanaryDeploymentYaml, "cd.yaml").Objects.Single()).Deployment!;
        var hash = cd.Template.Hash;
        cd = cd with
        {
            Status = CanaryDeploymentStatus.Empty with
            {
                ObservedGeneration = 1,
                ObservedTemplateHash = hash,
                CanaryDeploymentReadyStatusCheckpoint = new ReadyCheckpoint(hash, Rollouts.T0, MetricCheckResult.Unknown),
            },
        };
        _checking = new CanaryDeploymentSnapshot(cd, new TrackObservation(true, hash, 1, true), new TrackObservation(true, "old", 9, true), Rollouts.T0.AddSeconds(30));
        if (CanaryDeploymentPlanner.Plan(_checking) is not { Actions.Length: 0, RequeueAfter: { } after } || after != TimeSpan.FromSeconds(90))
        {
            throw new InvalidOperationException("the CanaryDeployment benchmark should wait 90 s for its check");
        }
    }

    /// <summary>A canary at 20% waiting for `rollout promote`: the planner checks and changes nothing.</summary>
    [Benchmark]
    public RolloutPlan CanaryPaused() => Planner.Plan(_paused);

    /// <summary>A CanaryDeployment whose canary is ready and whose check is due in 90 s.</summary>
    [Benchmark]
    public RolloutPlan CanaryDeploymentChecking() => CanaryDeploymentPlanner.Plan(_checking);

    /// <summary>Passes until one writes nothing, applying status and scaling as a platform would.</summary>
    private static RolloutSnapshot Settle(RolloutSnapshot snapshot)
    {
        for (var i = 0; i < 64; i++)
        {
            var plan = Planner.Plan(snapshot);
            if (!plan.ChangesAnything)
            {
                return snapshot;
            }

            foreach (var action in plan.Actions)
            {
                snapshot = action switch
                {
                    UpdateRolloutStatus status => snapshot with { Rollout = snapshot.Rollout with { Status = status.Status } },
                    ScaleReplicaSet scale => snapshot with
                    {
                        ReplicaSets = snapshot.ReplicaSets.Select(rs => rs.Name == scale.Name
                            ? scale.ApplyTo(rs) with { ObservedReplicas = scale.To, ReadyReplicas = scale.To, AvailableReplicas = scale.To }
                            : rs).ToImmutableArray(),
                    },
                    AnnotateReplicaSet annotate => snapshot with
                    {
                        ReplicaSets = snapshot.ReplicaSets.Select(rs => rs.Name == annotate.Name ? annotate.ApplyTo(rs) : rs).ToImmutableArray(),
                    },
                    _ => snapshot,
                };
            }
        }

        throw new InvalidOperationException("the canary benchmark snapshot did not settle");
    }
}
