using System.CommandLine;
using System.Runtime.InteropServices;
using Fledge.Local;
using Fledge.Local.Store;
using Microsoft.Extensions.Logging;

namespace Fledge.Cli.Commands.Runtime;

/// <summary>`fledge serve`: runs the single-host runtime in the foreground until SIGINT or SIGTERM.</summary>
internal static class ServeCommand
{
    public static Command Create(CliContext context, Option<string> dataDirectory)
    {
        var images = new Option<string?>("--images") { Description = "The image table (YAML: image -> command); default images.yaml in the data directory" };
        var metricsPort = new Option<int>("--metrics-port") { Description = "Loopback port of /metrics (0 picks a free one)", DefaultValueFactory = _ => 9464 };
        var metricsApi = new Option<string?>("--metrics-api")
        {
            Description = "A Kubernetes custom/external metrics API (an API server or a metrics adapter) for CanaryDeployment metrics and the kubernetes analysis provider",
        };
        metricsApi.Validators.Add(result =>
        {
            if (result.GetValue(metricsApi) is { } text && MetricsApi(text) is null)
            {
                result.AddError($"--metrics-api: Invalid value: \"{text}\": give an absolute http or https URL, such as http://127.0.0.1:8443");
            }
        });
        var metricsApiToken = new Option<string?>("--metrics-api-token-file")
        {
            Description = "A file holding a bearer token for --metrics-api (e.g. a ServiceAccount token)",
        };
        metricsApiToken.Validators.Add(result =>
        {
            if (result.GetValue(metricsApiToken) is { } path && !File.Exists(path))
            {
                result.AddError($"--metrics-api-token-file: Invalid value: \"{path}\": no such file; give the path of a file that holds the token");
            }
        });
        var maxReplicas = new Option<int>("--max-replicas") { Description = "The most replicas one rollout may ask for on this host", DefaultValueFactory = _ => 1000 };
        maxReplicas.Validators.Add(result =>
        {
            if (result.GetValue(maxReplicas) < 1)
            {
                result.AddError($"--max-replicas: Invalid value: {result.GetValue(maxReplicas)}: must be at least 1");
            }
        });
        var command = new Command("serve", "Run the single-host runtime: replicas as processes, Services as loopback proxies, state in SQLite")
        {
            images, metricsPort, metricsApi, metricsApiToken, maxReplicas,
        };
        command.SetAction(parse => Run(context, new RuntimeOptions(parse.GetValue(dataDirectory)!)
        {
            ImagesFile = parse.GetValue(images),
            MetricsPort = parse.GetValue(metricsPort),
            MaxReplicas = parse.GetValue(maxReplicas),
            MetricsApi = parse.GetValue(metricsApi) is { } api ? MetricsApi(api) : null,
            MetricsApiToken = parse.GetValue(metricsApiToken) is { } tokenFile ? File.ReadAllText(tokenFile).Trim() : null,
            BuiltInImages = HelloCommand.BuiltInImages(),
        }));
        return command;
    }

    private static Uri? MetricsApi(string text) =>
        Uri.TryCreate(text, UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https" ? uri : null;

    private static int Run(CliContext context, RuntimeOptions options)
    {
        using var loggerFactory = LoggerFactory.Create(logging => logging.AddSimpleConsole(console =>
        {
            console.SingleLine = true;
            console.TimestampFormat = "HH:mm:ss ";
        }).SetMinimumLevel(LogLevel.Information));
        var logger = loggerFactory.CreateLogger("fledge");
        LocalRuntime runtime;
        try
        {
            runtime = LocalRuntime.StartAsync(options, logger).GetAwaiter().GetResult();
        }
        catch (DataDirectoryInUseException e)
        {
            return context.Fail(ExitCodes.Unavailable, [e.Message]);
        }
        catch (UntrustedDataDirectoryException e)
        {
            return context.Fail(ExitCodes.InvalidInput, [e.Message]);
        }
        catch (StateUnreadableException e)
        {
            return context.Fail(ExitCodes.Unavailable, [e.Message]);
        }
        catch (IOException e)
        {
            return context.Fail(ExitCodes.Unavailable, [$"cannot start the runtime: {e.Message}"]);
        }
        catch (InvalidDataException e)
        {
            return context.Fail(ExitCodes.InvalidInput, [e.Message]);
        }

        using var stop = new ManualResetEventSlim();
        using var sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, signal => { signal.Cancel = true; stop.Set(); });
        using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, signal => { signal.Cancel = true; stop.Set(); });
        if (runtime.LeftoversEnded > 0)
        {
            context.Error.WriteLine($"ended {runtime.LeftoversEnded} replica process(es) left running by a previous runtime");
        }

        context.Error.WriteLine($"fledge serve: data {runtime.DataDirectory}, control socket {runtime.Socket}, metrics {runtime.MetricsUrl}");
        context.Error.WriteLine("ready; stop with Ctrl-C (SIGINT) or SIGTERM");
        stop.Wait();
        context.Error.WriteLine("stopping: taking replicas out of Services and stopping them gracefully...");
        runtime.DisposeAsync().AsTask().GetAwaiter().GetResult();
        context.Error.WriteLine("stopped");
        return ExitCodes.Success;
    }
}
