using System.Text.Json;
using Fledge.Local.Store;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Fledge.Local.Api;

/// <summary>
/// The control API: HTTP over a unix socket of mode 0600 in the data directory (itself 0700), so only the
/// user who runs the runtime can use it. The `fledge` commands are its clients.
/// </summary>
internal static class ControlApi
{
    public static async Task<WebApplication> StartAsync(RuntimeCommands commands, DataDirectory directory, ILogger logger)
    {
        if (File.Exists(directory.Socket))
        {
            File.Delete(directory.Socket);
        }

        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.ListenUnixSocket(directory.Socket));
        builder.Services.Configure<JsonOptions>(json =>
        {
            // The API's types through their generated serializers, with the same names and enums as strings for the rest.
            json.SerializerOptions.PropertyNamingPolicy = ApiJson.Options.PropertyNamingPolicy;
            json.SerializerOptions.NumberHandling = ApiJson.Options.NumberHandling;
            json.SerializerOptions.Converters.Add(new System.Text.Json.Serialization.JsonStringEnumConverter());
            json.SerializerOptions.TypeInfoResolverChain.Insert(0, ApiJsonContext.Default);
        });
        var app = builder.Build();
        app.Use(async (context, next) =>
        {
            try
            {
                await next(context);
            }
            catch (CommandException e)
            {
                context.Response.StatusCode = e.Status;
                await context.Response.WriteAsJsonAsync(new ErrorResponse(e.Errors), ApiJson.Options);
            }
            catch (Store.StateWriteException e)
            {
                // The change was not stored, so nothing of it was made; the runtime goes on serving what it has.
                logger.LogError("{Method} {Path}: {Message}", context.Request.Method, context.Request.Path, e.Message);
                context.Response.StatusCode = StatusCodes.Status507InsufficientStorage;
                await context.Response.WriteAsJsonAsync(new ErrorResponse([e.Message]), ApiJson.Options);
            }
            catch (JsonException e)
            {
                context.Response.StatusCode = StatusCodes.Status400BadRequest;
                await context.Response.WriteAsJsonAsync(new ErrorResponse([$"the request body is not valid JSON: {e.Message}"]), ApiJson.Options);
            }
            catch (Exception e) when (!context.Response.HasStarted && e is not OperationCanceledException)
            {
                // Never a bare 500: the caller gets what failed, the runtime's log the whole story, and the runtime goes on.
                logger.LogError(e, "{Method} {Path} failed", context.Request.Method, context.Request.Path);
                context.Response.StatusCode = StatusCodes.Status500InternalServerError;
                await context.Response.WriteAsJsonAsync(
                    new ErrorResponse([$"the runtime could not {context.Request.Method} {context.Request.Path}: {e.GetType().Name}: {e.Message}"]), ApiJson.Options);
            }
        });

        app.MapGet("/v1/health", () => Results.Ok(new MessageResponse("ok")));
        app.MapPost("/v1/apply", async (ApplyRequest request) => Results.Ok(await commands.ApplyAsync(request)));
        app.MapGet("/v1/rollouts", async () => Results.Ok(await commands.RolloutsAsync()));
        app.MapGet("/v1/rollouts/{name}", async (string name) => Results.Ok(await commands.DescribeAsync(name)));
        app.MapGet("/v1/rollouts/{name}/history", async (string name, long? revision) => Results.Ok(await commands.HistoryAsync(name, revision)));
        app.MapPost("/v1/rollouts/{name}/pause", async (string name) => Results.Ok(await commands.PauseAsync(name, paused: true)));
        app.MapPost("/v1/rollouts/{name}/resume", async (string name) => Results.Ok(await commands.PauseAsync(name, paused: false)));
        app.MapPost("/v1/rollouts/{name}/promote", async (string name, bool? full) =>
            Results.Ok(await commands.CanaryAsync(name, full == true ? Core.Planning.CanaryRequest.PromoteFull : Core.Planning.CanaryRequest.Promote)));
        app.MapPost("/v1/rollouts/{name}/abort", async (string name) => Results.Ok(await commands.CanaryAsync(name, Core.Planning.CanaryRequest.Abort)));
        app.MapPost("/v1/rollouts/{name}/retry", async (string name) => Results.Ok(await commands.CanaryAsync(name, Core.Planning.CanaryRequest.Retry)));
        app.MapPost("/v1/rollouts/{name}/restart", async (string name) => Results.Ok(await commands.RestartAsync(name)));
        app.MapPost("/v1/rollouts/{name}/undo", async (string name, long? toRevision) => Results.Ok(await commands.UndoAsync(name, toRevision ?? 0)));
        app.MapPost("/v1/rollouts/{name}/scale", async (string name, int replicas) => Results.Ok(await commands.ScaleAsync(name, replicas)));
        app.MapPost("/v1/rollouts/{name}/image", async (string name, ImageRequest request) => Results.Ok(await commands.SetImageAsync(name, request)));
        app.MapPost("/v1/analysis/run", async (AnalysisRunRequest request) => Results.Ok(await commands.RunAnalysisAsync(request)));
        app.MapGet("/v1/canarydeployments", async () => Results.Ok(await commands.CanaryDeploymentsAsync()));
        app.MapGet("/v1/canarydeployments/{name}", async (string name) => Results.Ok(await commands.DescribeCanaryDeploymentAsync(name)));
        app.MapGet("/v1/replicasets", async () => Results.Ok(await commands.ReplicaSetListAsync()));
        app.MapGet("/v1/pods", () => Results.Ok(commands.Pods()));
        app.MapGet("/v1/tables/{kind}", async (string kind, string? name, string? @for, string? rollout) => Results.Ok(await commands.TableAsync(kind, name, @for, rollout)));
        app.MapGet("/v1/objects/{kind}", async (string kind, string? name, string? @for) => Results.Ok(await commands.ObjectsAsync(kind, name, @for)));
        app.MapGet("/v1/services", () => Results.Ok(commands.Services()));
        app.MapDelete("/v1/objects/{kind}/{name}", async (string kind, string name) => Results.Ok(await commands.DeleteAsync(kind, name)));
        app.MapGet("/v1/pods/{name}/logs", (string name, bool? follow, HttpContext context) => PodLogs.StreamAsync(directory, commands, name, follow ?? false, context));

        await app.StartAsync();
        File.SetUnixFileMode(directory.Socket, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        return app;
    }
}
