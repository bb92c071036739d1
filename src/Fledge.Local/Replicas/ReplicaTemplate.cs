using k8s.Models;

namespace Fledge.Local.Replicas;

/// <summary>What every replica of one replica set runs: its pod template, with the owners and revision.</summary>
public sealed record ReplicaTemplate(string Rollout, string ReplicaSet, long Revision, V1PodTemplateSpec Template)
{
    public V1Container Container => Template.Spec.Containers[0];

    public string Image => Container.Image ?? "";

    public IDictionary<string, string> Labels => Template.Metadata?.Labels ?? new Dictionary<string, string>();

    public TimeSpan GracePeriod => TimeSpan.FromSeconds(Template.Spec.TerminationGracePeriodSeconds ?? 30);
}
