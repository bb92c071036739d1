using System.CommandLine;
using Fledge.Cli.Client;
using Fledge.Local.Api;

namespace Fledge.Cli.Commands.Runtime;

/// <summary>`fledge logs pod/NAME | rollout/NAME | rs/NAME [-f]`: a replica's standard output and error (for a rollout, one of its replicas, as kubectl picks one).</summary>
internal static class LogsCommand
{
    public static Command Create(CliContext context, RuntimeTarget runtime)
    {
        var target = new Argument<string>("target") { Description = "pod/NAME (or NAME), or rollout/NAME, deployment/NAME, rs/NAME: one of its replicas" };
        var follow = new Option<bool>("--follow", "-f") { Description = "Keep printing new lines while the replica runs" };
        var command = new Command("logs", "Print a replica's log (stdout and stderr)") { target, follow };
        command.SetAction(parse => runtime.Run(context, parse, async client =>
        {
            var text = parse.GetValue(target)!;
            var (kind, name) = RuntimeCall.SplitKindName(text) is { } split ? (RuntimeKinds.Find(split.Kind), split.Name) : (RuntimeKinds.Pods, text);
            if (kind is null || (kind != RuntimeKinds.Pods && kind != RuntimeKinds.Rollouts && kind != RuntimeKinds.ReplicaSets))
            {
                return context.Fail(ExitCodes.InvalidInput, [$"\"{text}\": logs are a replica's; write pod/NAME, or rollout/NAME or rs/NAME to pick one of its replicas"]);
            }

            if (kind != RuntimeKinds.Pods)
            {
                var picked = await PickAsync(client, kind, name);
                if (picked.Pod is null)
                {
                    return context.Fail(ExitCodes.RolloutFailed, [picked.Why]);
                }

                context.Error.WriteLine(picked.Why);
                name = picked.Pod;
            }

            using var cancel = new CancellationTokenSource();
            Console.CancelKeyPress += (_, e) => { e.Cancel = true; cancel.Cancel(); };
            await using var stream = await client.StreamAsync($"v1/pods/{Uri.EscapeDataString(name)}/logs?follow={(parse.GetValue(follow) ? "true" : "false")}", cancel.Token);
            using var reader = new StreamReader(stream);
            try
            {
                while (await reader.ReadLineAsync(cancel.Token) is { } line)
                {
                    context.Output.WriteLine(line);
                }
            }
            catch (OperationCanceledException)
            {
                // Ctrl-C while following.
            }

            return ExitCodes.Success;
        }));
        return command;
    }

    /// <summary>As kubectl does: a ready replica of the newest revision first, then any running one; with "Found N pods, using pod/X".</summary>
    private static async Task<(string? Pod, string Why)> PickAsync(ControlClient client, RuntimeKind kind, string name)
    {
        var pods = (await client.GetAsync<PodList>("v1/pods")).Items
            .Where(p => kind == RuntimeKinds.Rollouts ? p.Rollout == name : p.ReplicaSet == name)
            .OrderByDescending(p => p.Ready)
            .ThenByDescending(p => p.Phase == Local.Replicas.ReplicaPhase.Running)
            .ThenByDescending(p => p.Revision)
            .ThenBy(p => p.Name, StringComparer.Ordinal)
            .ToList();
        return pods.Count == 0
            ? (null, $"{kind.Kind.ToLowerInvariant()} \"{name}\" has no replicas (`fledge get {kind.Plural}` lists what exists)")
            : (pods[0].Name, $"Found {pods.Count} pods, using pod/{pods[0].Name}");
    }
}
