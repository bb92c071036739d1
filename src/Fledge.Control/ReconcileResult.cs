namespace Fledge.Control;

/// <summary>The outcome of reconciling a rollout until a pass changes nothing.</summary>
public sealed record ReconcileResult(int Passes, bool Changed, TimeSpan? RequeueAfter);
