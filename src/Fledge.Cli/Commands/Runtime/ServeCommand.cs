using System.CommandLine;
using System.Runtime.InteropServices;
using Fledge.Local;
using Fledge.Local.Store;
using Microsoft.Extensions.Logging;

namespace Fledge.Cli.Commands.Runtime;

/// <summary>`fledge serve`: runs the single-host runtime in the foreground until SIGINT or SIGTERM.</summary>
internal static class ServeCommand
{
    public static Command Create(CliContext context, RuntimeTarget runtime)
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
        var logMaxSize = new Option<string>("--log-max-size") { Description = "How large a replica's log grows before it is rotated (10Mi, 500Ki, bytes)", DefaultValueFactory = _ => "10Mi" };
        logMaxSize.Validators.Add(result =>
        {
            if (Size(result.GetValue(logMaxSize)!) is not > 0)
            {
                result.AddError($"--log-max-size: Invalid value: \"{result.GetValue(logMaxSize)}\": write a size such as 10Mi, 500Ki or 1048576");
            }
        });
        var logMaxFiles = new Option<int>("--log-max-files") { Description = "How many files of a replica's log are kept, the live one included", DefaultValueFactory = _ => 5 };
        logMaxFiles.Validators.Add(result =>
        {
            if (result.GetValue(logMaxFiles) < 1)
            {
                result.AddError($"--log-max-files: Invalid value: {result.GetValue(logMaxFiles)}: must be at least 1");
            }
        });
        var command = new Command("serve", "Run the single-host runtime: replicas as processes, Services as loopback proxies, state in SQLite")
        {
            images, metricsPort, metricsApi, metricsApiToken, maxReplicas, logMaxSize, logMaxFiles,
        };
        command.SetAction(parse => Run(context, new RuntimeOptions(parse.GetValue(runtime.DataDirectory)!)
        {
            ImagesFile = parse.GetValue(images),
            MetricsPort = parse.GetValue(metricsPort),
            MaxReplicas = parse.GetValue(maxReplicas),
            LogLimits = new Fledge.Local.Replicas.LogLimits(Size(parse.GetValue(logMaxSize)!) ?? 0, parse.GetValue(logMaxFiles)),
            MetricsApi = parse.GetValue(metricsApi) is { } api ? MetricsApi(api) : null,
            MetricsApiToken = parse.GetValue(metricsApiToken) is { } tokenFile ? File.ReadAllText(tokenFile).Trim() : null,
            BuiltInImages = HelloCommand.BuiltInImages(),
        }));
        return command;
    }

    /// <summary>A size as Kubernetes writes quantities of bytes: 1048576, 500Ki, 10Mi, 1Gi (or K, M, G in powers of ten).</summary>
    private static long? Size(string text)
    {
        var units = new (string Suffix, long Factor)[] { ("Ki", 1L << 10), ("Mi", 1L << 20), ("Gi", 1L << 30), ("K", 1000), ("M", 1_000_000), ("G", 1_000_000_000), ("", 1) };
        var (suffix, factor) = units.First(u => text.EndsWith(u.Suffix, StringComparison.Ordinal));
        return long.TryParse(text[..^suffix.Length], System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var number)
            && number <= long.MaxValue / factor ? number * factor : null;
    }

    private static Uri? MetricsApi(string text) =>
        Uri.TryCreate(text, UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https" ? uri : null;

    private static int Run(CliContext context, RuntimeOptions options)
    {
        using var loggerFactory = Output.ConsoleLogging.Create();
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
        if (runtime.LeftoversAdopted > 0)
        {
            context.Error.WriteLine($"took over {runtime.LeftoversAdopted} replica(s) left running by a previous runtime");
        }

        if (runtime.LeftoversEnded > 0)
        {
            context.Error.WriteLine($"ended {runtime.LeftoversEnded} process(es) left running by a previous runtime that no replica set wants");
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
