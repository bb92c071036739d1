using Fledge.Core.Planning;

namespace Fledge.Control;

/// <summary>
/// Runs planner passes against a platform. Each pass does at most one scaling move; the controller
/// reacts to its own writes, so passes repeat until one changes nothing (bounded, so a planner that
/// never settles is reported instead of spinning).
/// </summary>
public sealed class Reconciler
{
    /// <summary>A rollout needs a handful of passes per instant; far more means the planner is oscillating.</summary>
    public const int MaxPassesPerReconcile = 64;

    /// <summary>One pass: observe, plan, apply every action in order.</summary>
    public static RolloutPlan Step(IRolloutPlatform platform, string rolloutName, DateTimeOffset now)
    {
        var plan = Planner.Plan(platform.Observe(rolloutName, now));
        foreach (var action in plan.Actions)
        {
            platform.Apply(rolloutName, action, now);
        }

        return plan;
    }

    /// <summary>Passes until one changes nothing; <paramref name="afterPass"/> sees each pass that did.</summary>
    public static ReconcileResult Reconcile(IRolloutPlatform platform, string rolloutName, DateTimeOffset now, Action<RolloutPlan>? afterPass = null)
    {
        var changed = false;
        for (var passes = 1; passes <= MaxPassesPerReconcile; passes++)
        {
            var plan = Step(platform, rolloutName, now);
            if (!plan.ChangesAnything)
            {
                return new ReconcileResult(passes, changed, plan.RequeueAfter);
            }

            changed = true;
            afterPass?.Invoke(plan);
        }

        throw new InvalidOperationException(
            $"rollout \"{rolloutName}\" did not settle after {MaxPassesPerReconcile} passes at {now:O}; this is a planner bug, please report it with the manifest");
    }
}
