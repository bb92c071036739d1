using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Fledge.Samples.Hello;

/// <summary>
/// The demo service: GET / answers "Hello World!" (v1) or "Howdy World!" (v2) with an X-Version header;
/// /healthz for liveness, /ready for readiness. On SIGTERM it fails readiness at once, stops accepting
/// connections and finishes the requests in flight before it exits.
/// </summary>
public static class HelloService
{
    public static int Run(string[] args)
    {
        var options = HelloOptions.From(args, Environment.GetEnvironmentVariable);
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.ListenLocalhost(options.Port));
        builder.Services.Configure<HostOptions>(host => host.ShutdownTimeout = TimeSpan.FromSeconds(25));
        var app = builder.Build();

        var draining = false;
        app.Lifetime.ApplicationStarted.Register(() => Console.WriteLine($"hello {options.Version} listening on 127.0.0.1:{options.Port}"));
        app.Lifetime.ApplicationStopping.Register(() =>
        {
            draining = true;
            Console.WriteLine($"hello {options.Version}: stopping, finishing requests in flight");
        });
        if (options.CrashAfter is { } crashAfter)
        {
            _ = Task.Delay(crashAfter).ContinueWith(_ => Environment.Exit(1), TaskScheduler.Default);
        }

        app.MapGet("/", async context =>
        {
            if (options.ExtraLatency > TimeSpan.Zero)
            {
                await Task.Delay(options.ExtraLatency, context.RequestAborted);
            }

            context.Response.Headers["X-Version"] = options.Version;
            if (options.FailRate > 0 && Random.Shared.NextDouble() < options.FailRate)
            {
                context.Response.StatusCode = StatusCodes.Status500InternalServerError;
                await context.Response.WriteAsync($"injected failure ({options.Version})\n", context.RequestAborted);
                return;
            }

            await context.Response.WriteAsync(options.Greeting + "\n", context.RequestAborted);
        });
        app.MapGet("/healthz", () => Results.Text("ok\n"));
        app.MapGet("/ready", () => draining || options.NeverReady
            ? Results.Text("not ready\n", statusCode: StatusCodes.Status503ServiceUnavailable)
            : Results.Text("ready\n"));

        app.Run();
        return 0;
    }
}
