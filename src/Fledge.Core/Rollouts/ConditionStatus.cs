namespace Fledge.Core.Rollouts;

/// <summary>The status of a condition, as Kubernetes spells it.</summary>
public enum ConditionStatus
{
    True,
    False,
    Unknown,
}
