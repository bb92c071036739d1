using System.CommandLine;
using System.Net;
using System.Runtime.InteropServices;
using Fledge.Kubernetes;
using k8s;
using k8s.Exceptions;
using Microsoft.Extensions.Logging;

namespace Fledge.Cli.Commands.Kubernetes;

/// <summary>`fledge operator`: reconciles Rollouts on a Kubernetes cluster until SIGINT or SIGTERM.</summary>
internal static class OperatorCommand
{
    public static Command Create(CliContext context, Runtime.RuntimeTarget runtime)
    {
        var ns = runtime.Namespace;
        var all = new Option<bool>("--all-namespaces", "-A") { Description = "Watch every namespace (the default when no --namespace is given)" };
        var port = new Option<int>("--health-port") { Description = "Port of /healthz, /readyz and /metrics (0 picks a free one)", DefaultValueFactory = _ => 8081 };
        var address = new Option<string>("--health-address") { Description = "Address /healthz, /readyz and /metrics listen on", DefaultValueFactory = _ => "0.0.0.0" };
        var identity = new Option<string?>("--identity") { Description = "This operator's name in the Lease and in Events (default: host name and pid)" };
        var leaseNamespace = new Option<string?>("--lease-namespace")
        {
            Description = "Where the operators' Lease is held (default: $POD_NAMESPACE in a cluster, else the watched namespace, else the kubeconfig's)",
        };
        var argoproj = new Option<bool>("--argoproj")
        {
            Description = "Reconcile argoproj.io Rollouts too, read as written (--argoproj=false where Argo Rollouts' own controller runs)",
            DefaultValueFactory = _ => true,
        };
        var workers = new Option<int>("--workers") { Description = "How many rollouts are reconciled at once", DefaultValueFactory = _ => 4 };
        var command = new Command("operator", "Reconcile Rollouts on a Kubernetes cluster (one acts at a time: they hold a Lease)")
        {
            all, port, address, identity, leaseNamespace, argoproj, workers,
        };
        command.Validators.Add(result =>
        {
            if (result.GetValue(ns) is not null && result.GetValue(all))
            {
                result.AddError("--namespace and --all-namespaces: give one of them");
            }

            // (A validator sees only what was typed: the default is checked by being the default.)
            if (result.GetValue(address) is { Length: > 0 } typed && !IPAddress.TryParse(typed, out _))
            {
                result.AddError($"--health-address: Invalid value: \"{result.GetValue(address)}\": give an IP address, such as 0.0.0.0 or 127.0.0.1");
            }
        });
        command.SetAction(parse =>
        {
            if (parse.GetValue(workers) < 1)
            {
                return context.Fail(ExitCodes.InvalidInput, [$"--workers: Invalid value: {parse.GetValue(workers)}: must be at least 1"]);
            }

            KubernetesClientConfiguration config;
            try
            {
                config = runtime.ClusterConfiguration(parse);
            }
            catch (Runtime.KubeconfigException e)
            {
                return context.Fail(ExitCodes.InvalidInput, [e.Message]);
            }

            var watched = parse.GetValue(ns);
            var options = new OperatorOptions(watched, parse.GetValue(identity) ?? $"{Environment.MachineName}-{Environment.ProcessId}",
                parse.GetValue(leaseNamespace) ?? (Environment.GetEnvironmentVariable("POD_NAMESPACE") is { Length: > 0 } pod ? pod : null) ?? watched ?? config.Namespace ?? "default",
                TimeSpan.FromSeconds(10), parse.GetValue(argoproj), parse.GetValue(workers));
            return Run(context, config, options, IPAddress.Parse(parse.GetValue(address)!), parse.GetValue(port));
        });
        return command;
    }

    private static int Run(CliContext context, KubernetesClientConfiguration config, OperatorOptions options, IPAddress address, int port)
    {
        using var loggerFactory = Output.ConsoleLogging.Create();
        var logger = loggerFactory.CreateLogger("fledge-operator");
        using var client = new k8s.Kubernetes(config);
        using var stop = new CancellationTokenSource();
        using var sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, signal => { signal.Cancel = true; stop.Cancel(); });
        using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, signal => { signal.Cancel = true; stop.Cancel(); });
        var rolloutOperator = new RolloutOperator(client, options, logger);
        OperatorEndpoints endpoints;
        try
        {
            endpoints = OperatorEndpoints.StartAsync(rolloutOperator, address, port).GetAwaiter().GetResult();
        }
        catch (IOException e)
        {
            return context.Fail(ExitCodes.Unavailable, [$"--health-port: cannot listen on {address}:{port}: {e.Message}; choose a free port"]);
        }

        context.Error.WriteLine($"fledge operator: API server {config.Host}, {(options.Namespace is null ? "all namespaces" : $"namespace {options.Namespace}")}, " +
            $"lease {options.LeaseNamespace}/{OperatorOptions.LeaseName} as {options.Identity}, probes and metrics {endpoints.Address}");
        try
        {
            rolloutOperator.RunAsync(stop.Token).GetAwaiter().GetResult();
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
        }
        finally
        {
            endpoints.DisposeAsync().AsTask().GetAwaiter().GetResult();
            rolloutOperator.DisposeAsync().AsTask().GetAwaiter().GetResult();
        }

        context.Error.WriteLine("stopped");
        return ExitCodes.Success;
    }
}
