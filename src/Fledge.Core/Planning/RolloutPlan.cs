using System.Collections.Immutable;

namespace Fledge.Core.Planning;

/// <summary>The outcome of one reconcile pass: what to do, and when to look again if nothing else happens.</summary>
public sealed record RolloutPlan(ImmutableArray<PlanAction> Actions, TimeSpan? RequeueAfter)
{
    /// <summary>True when the pass changes a replica set (not only status or events).</summary>
    public bool ChangesReplicaSets
    {
        get
        {
            foreach (var action in Actions)
            {
                if (action is CreateReplicaSet or ScaleReplicaSet or AnnotateReplicaSet or DeleteReplicaSet)
                {
                    return true;
                }
            }

            return false;
        }
    }

    /// <summary>True when the pass changes anything at all (replica sets, the rollout or its status).</summary>
    public bool ChangesAnything
    {
        get
        {
            foreach (var action in Actions)
            {
                if (action is not RecordEvent)
                {
                    return true;
                }
            }

            return false;
        }
    }
}
