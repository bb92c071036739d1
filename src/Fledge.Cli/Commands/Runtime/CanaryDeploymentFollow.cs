using System.Diagnostics;
using Fledge.Cli.Client;
using Fledge.Core;
using Fledge.Core.Kanarini;
using Fledge.Local.Api;

namespace Fledge.Cli.Commands.Runtime;

/// <summary>
/// `fledge rollout status canarydeployment/NAME`: follows a CanaryDeployment until it is Ready (exit 0) or has
/// gone back to its last good template (exit 1, with the metric values that failed), printing each change.
/// </summary>
internal static class CanaryDeploymentFollow
{
    public static async Task<int> FollowAsync(CliContext context, ControlClient client, string name, TimeSpan timeout)
    {
        var clock = Stopwatch.StartNew();
        string? last = null;
        while (true)
        {
            var cd = (await client.GetAsync<CanaryDeploymentDetail>($"v1/canarydeployments/{Uri.EscapeDataString(name)}")).CanaryDeployment;
            var settled = cd.ObservedGeneration == cd.Generation;
            // The countdown of a pending check changes every second: a line is printed when anything else changes (the
            // check falls due, and then what its metric is waiting for).
            var line = cd.Phase == CanaryDeploymentPhases.Checking ? $"Waiting for canarydeployment \"{name}\": canary {cd.Canary.Image} is ready, {cd.Message}"
                : $"Waiting for canarydeployment \"{name}\": {cd.Phase}{(cd.Message.Length > 0 ? $": {cd.Message}" : "")}";
            var key = cd.Message.StartsWith("metrics check in ", StringComparison.Ordinal) ? cd.Phase : line;
            if (settled && cd.Phase == CanaryDeploymentPhases.Ready)
            {
                context.Output.WriteLine($"canarydeployment \"{name}\" successfully rolled out: {cd.Image} on both tracks");
                return ExitCodes.Success;
            }

            if (settled && cd.Phase == CanaryDeploymentPhases.Failed)
            {
                var values = cd.LatestMetrics.Count == 0 ? "" : $" ({string.Join(", ", cd.LatestMetrics.Select(MetricsCheck.Describe))})";
                return context.Fail(ExitCodes.RolloutFailed, [$"canarydeployment \"{name}\" failed its metrics check: {cd.Message}{values}"]);
            }

            if (key != last)
            {
                context.Output.WriteLine(line);
                last = key;
            }

            if (timeout > TimeSpan.Zero && clock.Elapsed > timeout)
            {
                return context.Fail(ExitCodes.RolloutFailed, [$"timed out waiting for the condition after {Durations.Format(timeout)}: {cd.Phase} {cd.Message}"]);
            }

            await Task.Delay(250);
        }
    }
}
