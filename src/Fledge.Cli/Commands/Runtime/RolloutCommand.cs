using Fledge.Core;
using System.CommandLine;
using System.Diagnostics;
using Fledge.Cli.Client;
using Fledge.Cli.Output;
using Fledge.Local.Api;
using Fledge.Simulation;
using Spectre.Console;

namespace Fledge.Cli.Commands.Runtime;

/// <summary>`fledge rollout status|history|undo|pause|resume|restart NAME`.</summary>
internal static class RolloutCommand
{
    public static Command Create(CliContext context, RuntimeTarget runtime)
    {
        var command = new Command("rollout", "Follow and steer a rollout: status, history, undo, pause, resume, restart")
        {
            Status(context, runtime),
            History(context, runtime),
            Undo(context, runtime),
            Verb(context, runtime, "pause", "Pause a rollout: replica counts still follow spec.replicas, but no new revision rolls out"),
            Verb(context, runtime, "resume", "Resume a paused rollout"),
            Verb(context, runtime, "restart", "Restart every replica with a rolling update (a new revision of the same template)"),
            Promote(context, runtime),
            Verb(context, runtime, "abort", "Abort a canary: all traffic back to the stable revision at once, the canary scaled down after abortScaleDownDelaySeconds"),
            Verb(context, runtime, "retry", "Start an aborted canary's steps again"),
        };
        return command;
    }

    private static Argument<string> Name() => new("name") { Description = "The rollout (NAME, or rollout/NAME)", CustomParser = r => StripKind(r.Tokens[0].Value) };

    private static string StripKind(string text) => RuntimeCall.SplitKindName(text)?.Name ?? text;

    private static Command Verb(CliContext context, RuntimeTarget runtime, string verb, string description)
    {
        var name = Name();
        var command = new Command(verb, description) { name };
        command.SetAction(parse => runtime.Run(context, parse, async client =>
        {
            var result = await client.PostAsync<MessageResponse>($"v1/rollouts/{Uri.EscapeDataString(parse.GetValue(name)!)}/{verb}");
            context.Output.WriteLine(result.Message);
            return ExitCodes.Success;
        }));
        return command;
    }

    private static Command Promote(CliContext context, RuntimeTarget runtime)
    {
        var name = Name();
        var full = new Option<bool>("--full") { Description = "Skip every remaining step and make the canary stable now" };
        var command = new Command("promote", "End a canary's current pause (or, with --full, all remaining steps)") { name, full };
        command.SetAction(parse => runtime.Run(context, parse, async client =>
        {
            var result = await client.PostAsync<MessageResponse>($"v1/rollouts/{Uri.EscapeDataString(parse.GetValue(name)!)}/promote?full={(parse.GetValue(full) ? "true" : "false")}");
            context.Output.WriteLine(result.Message);
            return ExitCodes.Success;
        }));
        return command;
    }

    private static Command Undo(CliContext context, RuntimeTarget runtime)
    {
        var name = Name();
        var toRevision = new Option<long>("--to-revision") { Description = "The revision to roll back to; 0 (default) is the previous one", DefaultValueFactory = _ => 0 };
        var command = new Command("undo", "Roll back to the previous revision, or to --to-revision; it comes back with the newest revision number") { name, toRevision };
        command.SetAction(parse => runtime.Run(context, parse, async client =>
        {
            var result = await client.PostAsync<MessageResponse>($"v1/rollouts/{Uri.EscapeDataString(parse.GetValue(name)!)}/undo?toRevision={parse.GetValue(toRevision)}");
            context.Output.WriteLine(result.Message);
            return ExitCodes.Success;
        }));
        return command;
    }

    private static Command History(CliContext context, RuntimeTarget runtime)
    {
        var name = Name();
        var revision = new Option<long?>("--revision") { Description = "Show the pod template of this revision" };
        var command = new Command("history", "List a rollout's revisions with their change causes") { name, revision };
        command.SetAction(parse => runtime.Run(context, parse, async client =>
        {
            var rollout = parse.GetValue(name)!;
            var wanted = parse.GetValue(revision);
            var history = await client.GetAsync<HistoryList>($"v1/rollouts/{Uri.EscapeDataString(rollout)}/history{(wanted is { } r ? $"?revision={r}" : "")}");
            if (wanted is not null)
            {
                var entry = history.Items.Single();
                context.Output.WriteLine($"rollout \"{rollout}\" with revision #{entry.Revision}");
                context.Output.WriteLine($"Change-Cause: {entry.ChangeCause ?? "<none>"}");
                context.Output.WriteLine("Pod Template:");
                context.Output.Write(entry.Template);
                return ExitCodes.Success;
            }

            context.Output.WriteLine($"rollout \"{rollout}\"");
            TextTable.Write(context, ObjectTables.History(history.Items), wide: false);
            return ExitCodes.Success;
        }));
        return command;
    }

    private static Command Status(CliContext context, RuntimeTarget runtime)
    {
        var name = new Argument<string>("name") { Description = "The rollout (NAME, or rollout/NAME), or canarydeployment/NAME" };
        var timeout = new Option<string>("--timeout") { Description = "Give up after this long (e.g. 5m); 0 waits for ever", DefaultValueFactory = _ => "0" };
        var command = new Command("status", "Follow a rollout until it completes (exit 0) or exceeds its progress deadline (exit 1); canarydeployment/NAME follows a CanaryDeployment until Ready (0) or Failed (1)") { name, timeout };
        command.SetAction(parse =>
        {
            if (!Durations.TryParse(parse.GetValue(timeout)!, out var limit))
            {
                return context.Fail(ExitCodes.InvalidInput, [$"--timeout: \"{parse.GetValue(timeout)}\" is not a duration (write 30s or 5m)"]);
            }

            var target = parse.GetValue(name)!;
            if (RuntimeCall.SplitKindName(target) is ({ } kind, { } cdName) && kind.ToLowerInvariant() is "canarydeployment" or "canarydeployments" or "cd")
            {
                return runtime.Run(context, parse, client => CanaryDeploymentFollow.FollowAsync(context, client, cdName, limit));
            }

            return runtime.Run(context, parse, client => FollowAsync(context, client, RuntimeCall.SplitKindName(target)?.Name ?? target, limit));
        });
        return command;
    }

    /// <summary>
    /// Polls the rollout, showing each new state: a live line on a terminal (with its countdowns), one line per
    /// change otherwise. The outcome is printed once: on stdout when it rolled out, as the error when it failed.
    /// </summary>
    public static async Task<int> FollowAsync(CliContext context, ControlClient client, string name, TimeSpan timeout)
    {
        var clock = Stopwatch.StartNew();
        string? last = null;
        var live = context.Console.Profile.Capabilities.Interactive && !Console.IsOutputRedirected;
        RolloutProgress progress = new("", false, false);
        async Task<RolloutProgress> Poll(Action<RolloutProgress, RolloutSummary> show)
        {
            while (true)
            {
                var detail = await client.GetAsync<RolloutDetail>($"v1/rollouts/{Uri.EscapeDataString(name)}");
                progress = RolloutProgress.Of(detail.Rollout, DateTimeOffset.UtcNow);
                if (progress.Done || (timeout > TimeSpan.Zero && clock.Elapsed > timeout))
                {
                    return progress;
                }

                show(progress, detail.Rollout);
                await Task.Delay(client.PollInterval);
            }
        }

        if (live)
        {
            await context.Console.Status().Spinner(Spinner.Known.Dots).StartAsync("Waiting...", async status =>
                await Poll((p, r) => status.Status(Markup.Escape($"{p.Message}  [{r.UpdatedReplicas} updated, {r.AvailableReplicas} available of {r.Replicas}]"))));
        }
        else
        {
            await Poll((p, _) =>
            {
                if (p.Key != last)
                {
                    context.Output.WriteLine(p.Message);
                    last = p.Key;
                }
            });
        }

        if (progress.Failed)
        {
            return context.Fail(ExitCodes.RolloutFailed, [progress.Message]);
        }

        if (!progress.Done)
        {
            return context.Fail(ExitCodes.RolloutFailed, [$"timed out waiting for the condition after {Durations.Format(timeout)}: {progress.Message}"]);
        }

        context.Output.WriteLine(progress.Message);
        return ExitCodes.Success;
    }
}
