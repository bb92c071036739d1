using Fledge.Local.Probes;
using k8s.Models;
using Microsoft.Extensions.Logging;

namespace Fledge.Local.Replicas;

/// <summary>A replica's probes: startup first, then readiness and liveness side by side, as the kubelet runs them.</summary>
internal sealed partial class Replica
{
    /// <summary>
    /// Startup probe first; then readiness (or ready at once without one) and liveness side by side. For a process
    /// that was already running (<paramref name="started"/> false: adopted), no startup probe and no initial delay:
    /// it is asked at once whether it is ready, so its Services hardly miss it.
    /// </summary>
    private async Task RunProbesAsync(ReplicaProcess process, bool started, CancellationToken cancel)
    {
        var container = Template.Container;
        try
        {
            if (started && container.StartupProbe is { } startup && !await ProbeUntilAsync(startup, "Startup", process, cancel))
            {
                return;
            }

            var loops = new List<Task>();
            if (container.ReadinessProbe is { } readiness)
            {
                loops.Add(ProbeLoopAsync(readiness, "Readiness", process, started, cancel));
            }
            else
            {
                Update(null, null, ready: true);
            }

            if (container.LivenessProbe is { } liveness)
            {
                loops.Add(ProbeLoopAsync(liveness, "Liveness", process, started, cancel));
            }

            await Task.WhenAll(loops);
        }
        catch (OperationCanceledException)
        {
            // The process exited or the replica is stopping.
        }
    }

    /// <summary>Runs a startup probe until it succeeds (true) or fails failureThreshold times, which restarts the replica.</summary>
    private async Task<bool> ProbeUntilAsync(V1Probe probe, string kind, ReplicaProcess process, CancellationToken cancel)
    {
        var settings = new ProbeSettings(probe);
        await Task.Delay(settings.InitialDelay, _host.Time, cancel);
        var failures = 0;
        while (true)
        {
            var outcome = await ProbeCheck.RunAsync(probe, Port, settings.Timeout, cancel);
            if (outcome.Success)
            {
                return true;
            }

            if (++failures >= settings.FailureThreshold)
            {
                Fail(kind, outcome.Detail, process);
                return false;
            }

            await Task.Delay(settings.Period, _host.Time, cancel);
        }
    }

    private async Task ProbeLoopAsync(V1Probe probe, string kind, ReplicaProcess process, bool started, CancellationToken cancel)
    {
        var settings = new ProbeSettings(probe);
        await Task.Delay(started ? settings.InitialDelay : TimeSpan.Zero, _host.Time, cancel);
        int successes = 0, failures = 0;
        while (!cancel.IsCancellationRequested)
        {
            var outcome = await ProbeCheck.RunAsync(probe, Port, settings.Timeout, cancel);
            if (outcome.Success)
            {
                failures = 0;
                if (++successes >= settings.SuccessThreshold && kind == "Readiness")
                {
                    Update(null, null, ready: true);
                }
            }
            else
            {
                successes = 0;
                if (++failures >= settings.FailureThreshold)
                {
                    if (kind == "Readiness")
                    {
                        Update(null, $"Readiness probe failed: {outcome.Detail}", ready: false);
                    }
                    else
                    {
                        Fail(kind, outcome.Detail, process);
                        return;
                    }
                }
            }

            await Task.Delay(settings.Period, _host.Time, cancel);
        }
    }

    /// <summary>A liveness or startup probe failed: the container is killed (gracefully) and restarted.</summary>
    private void Fail(string kind, string detail, ReplicaProcess process)
    {
        Update(null, $"{kind} probe failed: {detail}", ready: false);
        _host.Logger.LogInformation("{Replica}: {Kind} probe failed, restarting: {Detail}", Name, kind, detail);
        _ = TerminateAsync(process);
    }
}
