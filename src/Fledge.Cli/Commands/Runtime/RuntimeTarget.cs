using System.CommandLine;
using Fledge.Cli.Client;
using Fledge.Kubernetes.Cluster;
using k8s;
using k8s.Exceptions;

namespace Fledge.Cli.Commands.Runtime;

/// <summary>
/// Where the commands act: the runtime on this host (its data directory), or a Kubernetes cluster when given
/// --kubeconfig, --context or --cluster (or FLEDGE_CLUSTER=1, for `kubectl fledge`), in the namespace of -n or the
/// kubeconfig's context. The same commands, the same output, on either.
/// </summary>
internal sealed class RuntimeTarget
{
    public Option<string> DataDirectory { get; } = RuntimeCall.DataDirectory();

    public Option<string?> Kubeconfig { get; } = new("--kubeconfig")
    {
        Description = "Act on the Kubernetes cluster of this kubeconfig file instead of the runtime on this host",
        Recursive = true,
    };

    public Option<string?> Context { get; } = new("--context")
    {
        Description = "Act on the Kubernetes cluster of this kubeconfig context ($KUBECONFIG or ~/.kube/config)",
        Recursive = true,
    };

    public Option<bool> Cluster { get; } = new("--cluster")
    {
        Description = "Act on the Kubernetes cluster of $KUBECONFIG (or ~/.kube/config, or the in-cluster ServiceAccount); FLEDGE_CLUSTER=1 makes it the default",
        Recursive = true,
    };

    public Option<string?> Namespace { get; } = new("--namespace", "-n")
    {
        Description = "On a cluster: the namespace (default: the kubeconfig context's, else \"default\"); for `fledge operator`, the one namespace to watch",
        Recursive = true,
    };

    public IEnumerable<Option> Options => [DataDirectory, Kubeconfig, Context, Cluster, Namespace];

    /// <summary>Whether the command acts on a cluster.</summary>
    public bool OnCluster(ParseResult parse) =>
        parse.GetValue(Kubeconfig) is not null || parse.GetValue(Context) is not null || parse.GetValue(Cluster)
        || Environment.GetEnvironmentVariable("FLEDGE_CLUSTER") is "1" or "true";

    /// <summary>The cluster's client configuration, or the message that says what is wrong with the kubeconfig.</summary>
    public KubernetesClientConfiguration ClusterConfiguration(ParseResult parse)
    {
        try
        {
            return parse.GetValue(Kubeconfig) is { } file
                ? KubernetesClientConfiguration.BuildConfigFromConfigFile(file, parse.GetValue(Context))
                : KubernetesClientConfiguration.IsInCluster() && parse.GetValue(Context) is null
                    ? KubernetesClientConfiguration.InClusterConfig()
                    : KubernetesClientConfiguration.BuildConfigFromConfigFile(DefaultKubeconfig(), parse.GetValue(Context));
        }
        catch (Exception e) when (e is KubeConfigException or FileNotFoundException or IOException or UnauthorizedAccessException)
        {
            throw new KubeconfigException($"--kubeconfig: {e.Message}; give a kubeconfig with --kubeconfig or KUBECONFIG");
        }
    }

    /// <summary>kubectl's: the first file of $KUBECONFIG, else ~/.kube/config.</summary>
    private static string DefaultKubeconfig() =>
        Environment.GetEnvironmentVariable("KUBECONFIG")?.Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries) is [var first, ..]
            ? first
            : KubernetesClientConfiguration.KubeConfigDefaultLocation;

    /// <summary>Runs <paramref name="call"/> against the runtime or the cluster; refusals become messages and exit codes.</summary>
    public int Run(CliContext context, ParseResult parse, Func<ControlClient, Task<int>> call)
    {
        if (!OnCluster(parse))
        {
            return RuntimeCall.Run(context, parse.GetValue(DataDirectory)!, call);
        }

        KubernetesClientConfiguration config;
        try
        {
            config = ClusterConfiguration(parse);
        }
        catch (KubeconfigException e)
        {
            return context.Fail(ExitCodes.InvalidInput, [e.Message]);
        }

        using var kubernetes = new k8s.Kubernetes(config);
        var ns = parse.GetValue(Namespace) ?? config.Namespace ?? "default";
        var api = new ClusterApi(new ClusterCommands(kubernetes, ns, TimeProvider.System));
        return RuntimeCall.Run(context, new ControlClient($"the cluster at {config.Host} (namespace {ns})", api.HandleAsync), call);
    }
}

/// <summary>The kubeconfig cannot be read or has no such context.</summary>
internal sealed class KubeconfigException(string message) : Exception(message);
