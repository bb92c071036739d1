using System.Net;
using System.Text.Json;
using Fledge.Core.Planning;
using Fledge.Local.Api;
using k8s.Autorest;

namespace Fledge.Kubernetes.Cluster;

/// <summary>
/// The runtime's control API (the routes `fledge serve` answers on its socket), answered in-process from a cluster, so
/// every `fledge` command works on either without knowing which. Errors come back as the runtime's do: a status and
/// the messages.
/// </summary>
public sealed class ClusterApi(ClusterCommands commands)
{
    /// <summary>Answers one request: the status and the JSON body.</summary>
    public async Task<(int Status, byte[] Body)> HandleAsync(string method, string pathAndQuery, byte[]? body)
    {
        try
        {
            var answer = await RouteAsync(method, pathAndQuery, body);
            return (200, JsonSerializer.SerializeToUtf8Bytes(answer, answer.GetType(), ApiJson.Options));
        }
        catch (CommandException e)
        {
            return (e.Status, JsonSerializer.SerializeToUtf8Bytes(new ErrorResponse(e.Errors), ApiJson.Options));
        }
        catch (HttpOperationException e) when (e.Response?.StatusCode is HttpStatusCode.Forbidden or HttpStatusCode.Unauthorized)
        {
            return (403, JsonSerializer.SerializeToUtf8Bytes(new ErrorResponse([$"the cluster refused: {Message(e)}"]), ApiJson.Options));
        }
        catch (HttpOperationException e)
        {
            return ((int)(e.Response?.StatusCode ?? HttpStatusCode.BadGateway), JsonSerializer.SerializeToUtf8Bytes(new ErrorResponse([$"the cluster answered: {Message(e)}"]), ApiJson.Options));
        }
    }

    private async Task<object> RouteAsync(string method, string pathAndQuery, byte[]? body)
    {
        var question = pathAndQuery.IndexOf('?', StringComparison.Ordinal);
        var path = (question < 0 ? pathAndQuery : pathAndQuery[..question]).Trim('/').Split('/').Select(Uri.UnescapeDataString).ToArray();
        var query = (question < 0 ? "" : pathAndQuery[(question + 1)..]).Split('&', StringSplitOptions.RemoveEmptyEntries)
            .Select(p => p.Split('=', 2)).ToDictionary(p => p[0], p => p.Length > 1 ? Uri.UnescapeDataString(p[1]) : "", StringComparer.Ordinal);
        string? Query(string key) => query.GetValueOrDefault(key);
        T Body<T>() => JsonSerializer.Deserialize<T>(body ?? [], ApiJson.Options) ?? throw new CommandException(400, "the request has no body");
        return (method, path) switch
        {
            ("GET", ["v1", "health"]) => new MessageResponse("ok"),
            ("POST", ["v1", "apply"]) => await commands.ApplyAsync(Body<ApplyRequest>()),
            ("GET", ["v1", "rollouts"]) => await commands.RolloutsAsync(),
            ("GET", ["v1", "rollouts", var name]) => await commands.DescribeAsync(name),
            ("GET", ["v1", "rollouts", var name, "history"]) => await commands.HistoryAsync(name, Query("revision") is { } r ? long.Parse(r, System.Globalization.CultureInfo.InvariantCulture) : null),
            ("POST", ["v1", "rollouts", var name, "pause"]) => await commands.PauseAsync(name, paused: true),
            ("POST", ["v1", "rollouts", var name, "resume"]) => await commands.PauseAsync(name, paused: false),
            ("POST", ["v1", "rollouts", var name, "promote"]) => await commands.CanaryAsync(name, Query("full") == "true" ? CanaryRequest.PromoteFull : CanaryRequest.Promote),
            ("POST", ["v1", "rollouts", var name, "abort"]) => await commands.CanaryAsync(name, CanaryRequest.Abort),
            ("POST", ["v1", "rollouts", var name, "retry"]) => await commands.CanaryAsync(name, CanaryRequest.Retry),
            ("POST", ["v1", "rollouts", var name, "restart"]) => await commands.RestartAsync(name),
            ("POST", ["v1", "rollouts", var name, "undo"]) => await commands.UndoAsync(name, Query("toRevision") is { } t ? long.Parse(t, System.Globalization.CultureInfo.InvariantCulture) : 0),
            ("POST", ["v1", "rollouts", var name, "scale"]) => await commands.ScaleAsync(name, int.Parse(Query("replicas") ?? "", System.Globalization.CultureInfo.InvariantCulture)),
            ("POST", ["v1", "rollouts", var name, "image"]) => await commands.SetImageAsync(name, Body<ImageRequest>()),
            ("GET", ["v1", "replicasets"]) => await commands.ReplicaSetListAsync(),
            ("GET", ["v1", "tables", var kind]) => await commands.TableAsync(kind, Query("name"), Query("for"), Query("rollout")),
            ("GET", ["v1", "objects", var kind]) => await commands.ObjectsAsync(kind, Query("name"), Query("for")),
            ("DELETE", ["v1", "objects", var kind, var name]) => await commands.DeleteAsync(kind, name),
            _ => throw new CommandException(400, $"`{string.Join(' ', path.Skip(1))}` is not available on a Kubernetes cluster; it is for the runtime on one host (fledge serve)"),
        };
    }

    private static string Message(HttpOperationException e)
    {
        try
        {
            return e.Response?.Content is { Length: > 0 } content && JsonDocument.Parse(content).RootElement.TryGetProperty("message", out var message)
                ? message.GetString() ?? e.Message
                : e.Message;
        }
        catch (JsonException)
        {
            return e.Message;
        }
    }
}
