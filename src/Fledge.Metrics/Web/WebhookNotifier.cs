using System.Net.Http.Json;
using Fledge.Core.Rollouts;

namespace Fledge.Metrics.Web;

/// <summary>
/// Tells a release's webhooks of its events, as Flagger's event and post-rollout webhooks are told: every event to an
/// "event" webhook, and the end of the release (RolloutCompleted, RolloutAborted) to a "post-rollout" one. The POST runs
/// on its own, within the webhook's timeout; the release never waits for it, and a receiver that is away misses it.
/// </summary>
public sealed class WebhookNotifier(HttpClient http)
{
    private static readonly HashSet<string> Ends = new(StringComparer.Ordinal) { "RolloutCompleted", "RolloutAborted" };

    /// <summary>Sent, and not yet answered: how many POSTs are in flight (for tests that wait for quiet).</summary>
    public int InFlight => Volatile.Read(ref _inFlight);

    private int _inFlight;

    public void Notify(Rollout rollout, string eventType, string reason, string message)
    {
        foreach (var hook in rollout.Spec.Strategy.Canary?.Notifications ?? [])
        {
            if (hook.Type == Webhook.Event || (hook.Type == Webhook.PostRollout && Ends.Contains(reason)))
            {
                var payload = WebhookProvider.Payload(rollout.Name, rollout.Namespace, reason, hook.Type, hook.Name, hook.Metadata);
                payload["eventType"] = eventType;
                payload["eventMessage"] = message;
                Interlocked.Increment(ref _inFlight);
                _ = Task.Run(() => PostAsync(hook, payload));
            }
        }
    }

    private async Task PostAsync(Webhook hook, Dictionary<string, object?> payload)
    {
        try
        {
            using var timeout = new CancellationTokenSource(hook.Timeout);
            using var response = await http.PostAsJsonAsync(new Uri(hook.Url), payload, timeout.Token);
        }
        catch (Exception e) when (e is HttpRequestException or OperationCanceledException)
        {
            // A notification is told once: a receiver that is away misses it, and the release goes on
        }
        finally
        {
            Interlocked.Decrement(ref _inFlight);
        }
    }
}
