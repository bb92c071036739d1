namespace Fledge.Core.Rollouts;

/// <summary>Annotation and label keys, spelled as Kubernetes spells them.</summary>
public static class Annotations
{
    public const string Revision = "deployment.kubernetes.io/revision";
    public const string RevisionHistory = "deployment.kubernetes.io/revision-history";
    public const string DesiredReplicas = "deployment.kubernetes.io/desired-replicas";
    public const string MaxReplicas = "deployment.kubernetes.io/max-replicas";
    public const string ChangeCause = "kubernetes.io/change-cause";
    public const string LastApplied = "kubectl.kubernetes.io/last-applied-configuration";
    public const string RollbackTo = "deprecated.deployment.rollback.to";
    public const string PodTemplateHashLabel = "pod-template-hash";

    /// <summary>On an experiment's replica set: the experiment it belongs to (Argo's name: rollout-hash-revision-step).</summary>
    public const string Experiment = "fledge.io/experiment";

    /// <summary>On an experiment's replica set: which of the experiment's templates it runs.</summary>
    public const string ExperimentTemplate = "fledge.io/experiment-template";

    /// <summary>Rollout annotations that are not copied to its replica sets.</summary>
    public static bool IsSkippedOnCopy(string key) => key is LastApplied or Revision or RevisionHistory
        or DesiredReplicas or MaxReplicas or RollbackTo;
}
