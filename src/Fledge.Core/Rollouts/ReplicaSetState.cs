using System.Collections.Immutable;

namespace Fledge.Core.Rollouts;

/// <summary>
/// One replica set of a rollout: its template and revision, what it was asked for (spec) and what
/// is observed (status). <see cref="Annotations"/> holds the annotations copied from the rollout
/// (such as the change cause); revision and replica annotations have their own typed fields.
/// </summary>
public sealed record ReplicaSetState(
    string Name,
    PodTemplate Template,
    DateTimeOffset CreatedAt,
    long Revision,
    int Replicas,
    int ObservedReplicas = 0,
    int ReadyReplicas = 0,
    int AvailableReplicas = 0,
    int TerminatingReplicas = 0,
    int? DesiredReplicasAnnotation = null,
    int? MaxReplicasAnnotation = null,
    string? RevisionHistory = null,
    ImmutableSortedDictionary<string, string>? Annotations = null)
{
    public ImmutableSortedDictionary<string, string> CopiedAnnotations =>
        Annotations ?? ImmutableSortedDictionary<string, string>.Empty;

    public string? ChangeCause => CopiedAnnotations.GetValueOrDefault(Rollouts.Annotations.ChangeCause);

    /// <summary>Active means asked for at least one replica.</summary>
    public bool IsActive => Replicas > 0;
}
