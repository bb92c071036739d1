using System.Diagnostics;
using System.Text;

namespace Fledge.Kubernetes.Tests;

/// <summary>A real `fledge operator` process against the test control plane, watching one namespace.</summary>
internal sealed class OperatorProcess : IAsyncDisposable
{
    private readonly StringBuilder _output = new();
    private readonly Process _process;

    private OperatorProcess(Process process) => _process = process;

    public string Output
    {
        get
        {
            lock (_output)
            {
                return _output.ToString();
            }
        }
    }

    public int Pid => _process.Id;

    public static async Task<OperatorProcess> StartAsync(string ns, string? identity = null, string? kubeconfig = null, string? leaseNamespace = null)
    {
        var start = new ProcessStartInfo(Tools.Dotnet) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in new[]
        {
            Path.Combine(AppContext.BaseDirectory, "fledge.dll"), "operator", "--kubeconfig", kubeconfig ?? ControlPlane.Kubeconfig, "--namespace", ns,
            "--health-port", "0", "--health-address", "127.0.0.1", "--identity", identity ?? $"test-{Guid.NewGuid().ToString("N")[..6]}",
            "--lease-namespace", leaseNamespace ?? ns,
        })
        {
            start.ArgumentList.Add(argument);
        }

        var process = Process.Start(start)!;
        var result = new OperatorProcess(process);
        process.OutputDataReceived += (_, e) => result.Append(e.Data);
        process.ErrorDataReceived += (_, e) => result.Append(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (!result.Output.Contains("fledge operator:", StringComparison.Ordinal))
        {
            if (process.HasExited || DateTime.UtcNow > deadline)
            {
                throw new InvalidOperationException($"fledge operator did not start:\n{result.Output}");
            }

            await Task.Delay(50);
        }

        return result;
    }

    /// <summary>SIGKILL: no chance to finish anything.</summary>
    public void Kill()
    {
        _process.Kill(entireProcessTree: true);
        _process.WaitForExit();
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }

        _process.Dispose();
    }

    private void Append(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_output)
        {
            _output.AppendLine(line);
        }
    }
}
