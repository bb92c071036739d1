using System.Diagnostics;
using k8s;

namespace Fledge.Kubernetes.Tests;

/// <summary>
/// The real Kubernetes control plane the tests run against (etcd, kube-apiserver, kube-controller-manager, started by
/// `./build.sh test` with tests/kubernetes/control-plane.sh), and kubectl pointed at it. deploy/kubernetes is installed
/// once per test run, with kubectl apply -k as a user installs it.
/// </summary>
internal static class ControlPlane
{
    private static readonly Lazy<string> Installed = new(Install);

    /// <summary>The admin kubeconfig ($FLEDGE_TEST_KUBECONFIG, else the control plane's default place).</summary>
    public static string Kubeconfig
    {
        get
        {
            var path = Environment.GetEnvironmentVariable("FLEDGE_TEST_KUBECONFIG") is { Length: > 0 } set ? set : "/tmp/k8s-cp/kubeconfig";
            return File.Exists(path) ? path : throw new InvalidOperationException(
                $"no Kubernetes control plane ({path} is missing); run the tests with `./build.sh test`, which starts one, or start it with `sudo tests/kubernetes/control-plane.sh start`");
        }
    }

    public static string Repository { get; } = FindRepository();

    /// <summary>A client of the API server as the cluster's admin, with deploy/kubernetes installed.</summary>
    public static IKubernetes Client()
    {
        _ = Installed.Value;
        return new k8s.Kubernetes(KubernetesClientConfiguration.BuildConfigFromConfigFile(Kubeconfig));
    }

    /// <summary>A namespace of the test's own, deleted when disposed.</summary>
    public static TestNamespace Namespace(string prefix)
    {
        _ = Installed.Value;
        var name = $"{prefix}-{Guid.NewGuid().ToString("N")[..8]}";
        Kubectl("create", "namespace", name).Code.ShouldBe(0);
        return new TestNamespace(name);
    }

    public static (int Code, string Output, string Error) Kubectl(params string[] arguments) => KubectlWithInput(null, arguments);

    public static (int Code, string Output, string Error) KubectlWithInput(string? input, params string[] arguments) => Run(Kubeconfig, input, arguments);

    /// <summary>kubectl as someone else: with another kubeconfig (a ServiceAccount's token, say).</summary>
    public static (int Code, string Output, string Error) KubectlAs(string kubeconfig, params string[] arguments) => Run(kubeconfig, null, arguments);

    /// <summary>
    /// Stops kube-apiserver (SIGTERM) and starts it again with the same command line, as an upgrade or a crash does;
    /// returns once it answers /readyz. Its pid file is updated, so the control plane's stop still finds it.
    /// </summary>
    public static async Task RestartApiServerAsync(TimeSpan down)
    {
        var run = Path.GetDirectoryName(Kubeconfig)!;
        var pidFile = Path.Combine(run, "apiserver.pid");
        var pid = int.Parse(File.ReadAllText(pidFile).Trim(), System.Globalization.CultureInfo.InvariantCulture);
        var arguments = File.ReadAllText($"/proc/{pid}/cmdline").Split('\0', StringSplitOptions.RemoveEmptyEntries);
        using (var old = Process.GetProcessById(pid))
        {
            old.Kill(entireProcessTree: false);
            await old.WaitForExitAsync();
        }

        await Task.Delay(down);
        var start = new ProcessStartInfo("setsid") { UseShellExecute = false, RedirectStandardOutput = false };
        start.ArgumentList.Add("--fork");
        start.ArgumentList.Add("sh");
        start.ArgumentList.Add("-c");
        start.ArgumentList.Add("echo $$ > \"$0\"; log=\"$1\"; shift; exec \"$@\" >> \"$log\" 2>&1");
        start.ArgumentList.Add(pidFile);
        start.ArgumentList.Add(Path.Combine(run, "logs", "kube-apiserver.log"));
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using (var launcher = Process.Start(start)!)
        {
            await launcher.WaitForExitAsync();
        }

        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (Kubectl("get", "--raw", "/readyz").Code != 0)
        {
            DateTime.UtcNow.ShouldBeLessThan(deadline, "kube-apiserver did not come back");
            await Task.Delay(250);
        }
    }

    private static (int Code, string Output, string Error) Run(string kubeconfig, string? input, string[] arguments)
    {
        var (code, output, error) = RunProcess(Tools.Require("kubectl", "kubectl"), ["--kubeconfig", kubeconfig, .. arguments], input);
        // kubectl 1.32 warns about the 1.20 server on every call; the warning is not the test's business.
        var errorLines = string.Join("\n", error.Split('\n').Where(l => !l.Contains("version difference between client", StringComparison.Ordinal)));
        return (code, output, errorLines.Trim());
    }

    /// <summary>Runs a program to its end (with <paramref name="input"/> on its standard input, if given): its exit code and both outputs.</summary>
    public static (int Code, string Output, string Error) RunProcess(string program, IEnumerable<string> arguments, string? input = null)
    {
        var start = new ProcessStartInfo(program) { RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = input is not null };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start)!;
        if (input is not null)
        {
            process.StandardInput.Write(input);
            process.StandardInput.Close();
        }

        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEnd();
        process.WaitForExit();
        return (process.ExitCode, output.Result, error);
    }

    private static string Install()
    {
        // Fledge's resources, and Argo Rollouts' (its files are applied as they are): both as a user installs them
        var installed = "";
        foreach (var tree in new[] { Path.Combine("deploy", "kubernetes"), Path.Combine("deploy", "kubernetes", "argoproj") })
        {
            var (code, output, error) = Kubectl("apply", "-k", Path.Combine(Repository, tree));
            code.ShouldBe(0, $"kubectl apply -k {tree}:\n{output}\n{error}");
            installed += output;
        }

        Kubectl("wait", "--for=condition=Established", "crd/rollouts.fledge.io", "crd/rollouts.argoproj.io", "--timeout=60s").Code.ShouldBe(0);
        return installed;
    }

    private static string FindRepository()
    {
        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "Fledge.slnx")))
        {
            directory = directory.Parent;
        }

        return directory?.FullName ?? throw new InvalidOperationException("cannot find the repository (Fledge.slnx) above the test's directory");
    }
}

/// <summary>A namespace for one test; deleted (without waiting) at the end.</summary>
internal sealed class TestNamespace(string name) : IDisposable
{
    public string Name { get; } = name;

    public void Dispose() => ControlPlane.Kubectl("delete", "namespace", Name, "--wait=false");
}
