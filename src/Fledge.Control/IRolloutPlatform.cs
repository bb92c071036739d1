using Fledge.Core.Planning;

namespace Fledge.Control;

/// <summary>
/// Where rollouts run (simulated replicas, local processes, or Kubernetes), as the reconcile loop sees
/// it: observe one rollout into a snapshot, carry out one action.
/// </summary>
public interface IRolloutPlatform
{
    RolloutSnapshot Observe(string rolloutName, DateTimeOffset now);

    void Apply(string rolloutName, PlanAction action, DateTimeOffset now);
}
