using Fledge.Core.Kanarini;
using Fledge.Core.Planning;

namespace Fledge.Control;

/// <summary>Where CanaryDeployments run, as their reconcile loop sees it: observe one with its track Deployments, carry out one action.</summary>
public interface ICanaryDeploymentPlatform
{
    CanaryDeploymentSnapshot ObserveCanaryDeployment(string name, DateTimeOffset now);

    void ApplyCanaryDeployment(string name, PlanAction action, DateTimeOffset now);
}

/// <summary>Runs Kanarini passes until one changes nothing (each pass stops after its first write, as Kanarini's does).</summary>
public static class CanaryDeploymentReconciler
{
    public static ReconcileResult Reconcile(ICanaryDeploymentPlatform platform, string name, DateTimeOffset now)
    {
        var changed = false;
        for (var passes = 1; passes <= Reconciler.MaxPassesPerReconcile; passes++)
        {
            var plan = CanaryDeploymentPlanner.Plan(platform.ObserveCanaryDeployment(name, now));
            foreach (var action in plan.Actions)
            {
                platform.ApplyCanaryDeployment(name, action, now);
            }

            if (!plan.ChangesAnything)
            {
                return new ReconcileResult(passes, changed, plan.RequeueAfter);
            }

            changed = true;
        }

        throw new InvalidOperationException($"CanaryDeployment \"{name}\" did not settle after {Reconciler.MaxPassesPerReconcile} passes at {now:O}; this is a planner bug, please report it with the manifest");
    }
}
