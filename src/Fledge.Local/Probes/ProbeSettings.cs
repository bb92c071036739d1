using k8s.Models;

namespace Fledge.Local.Probes;

/// <summary>A probe's timing with Kubernetes' defaults: period 10 s, timeout 1 s, success 1, failure 3.</summary>
internal sealed record ProbeSettings(V1Probe Probe)
{
    public TimeSpan InitialDelay => TimeSpan.FromSeconds(Probe.InitialDelaySeconds ?? 0);

    public TimeSpan Period => TimeSpan.FromSeconds(Math.Max(1, Probe.PeriodSeconds ?? 10));

    public TimeSpan Timeout => TimeSpan.FromSeconds(Math.Max(1, Probe.TimeoutSeconds ?? 1));

    public int SuccessThreshold => Math.Max(1, Probe.SuccessThreshold ?? 1);

    public int FailureThreshold => Math.Max(1, Probe.FailureThreshold ?? 3);
}
