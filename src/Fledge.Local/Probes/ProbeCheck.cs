using System.Diagnostics;
using System.Net.Sockets;
using k8s.Models;

namespace Fledge.Local.Probes;

/// <summary>The outcome of one probe: success, or failure with what was seen.</summary>
internal readonly record struct ProbeOutcome(bool Success, string Detail);

/// <summary>
/// Runs one probe (httpGet, tcpSocket or exec) against a replica. Ports name the replica's own port: each
/// replica listens on the PORT it was given, whatever containerPort the manifest says.
/// </summary>
internal static class ProbeCheck
{
    private static readonly HttpClient Http = new(new SocketsHttpHandler { UseProxy = false, AllowAutoRedirect = false, PooledConnectionLifetime = TimeSpan.FromSeconds(30) });

    public static async Task<ProbeOutcome> RunAsync(V1Probe probe, int port, TimeSpan timeout, CancellationToken cancel)
    {
        using var timer = CancellationTokenSource.CreateLinkedTokenSource(cancel);
        timer.CancelAfter(timeout);
        try
        {
            if (probe.HttpGet is { } http)
            {
                using var request = new HttpRequestMessage(HttpMethod.Get, $"http://127.0.0.1:{port}{(string.IsNullOrEmpty(http.Path) ? "/" : http.Path)}");
                foreach (var header in http.HttpHeaders ?? [])
                {
                    request.Headers.TryAddWithoutValidation(header.Name, header.Value);
                }

                using var response = await Http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, timer.Token);
                var code = (int)response.StatusCode;
                return new ProbeOutcome(code is >= 200 and < 400, $"HTTP probe failed with statuscode: {code}");
            }

            if (probe.TcpSocket is not null)
            {
                using var client = new TcpClient();
                await client.ConnectAsync("127.0.0.1", port, timer.Token);
                return new ProbeOutcome(true, "");
            }

            if (probe.Exec is { Command: { Count: > 0 } command })
            {
                return await ExecAsync(command, timer.Token);
            }

            return new ProbeOutcome(false, "the probe has no httpGet, tcpSocket or exec handler");
        }
        catch (OperationCanceledException) when (!cancel.IsCancellationRequested)
        {
            return new ProbeOutcome(false, $"probe timed out after {timeout.TotalSeconds:0.#}s");
        }
        catch (Exception e) when (e is HttpRequestException or SocketException or IOException or System.ComponentModel.Win32Exception)
        {
            return new ProbeOutcome(false, e.Message);
        }
    }

    /// <summary>Runs a command directly (no shell); exit code 0 is success.</summary>
    public static async Task<ProbeOutcome> ExecAsync(IList<string> command, CancellationToken cancel)
    {
        var start = new ProcessStartInfo(command[0]) { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in command.Skip(1))
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start)!;
        try
        {
            var output = ReadCappedAsync(process.StandardOutput, cancel);
            var error = ReadCappedAsync(process.StandardError, cancel);
            await process.WaitForExitAsync(cancel);
            return new ProbeOutcome(process.ExitCode == 0, $"command {string.Join(' ', command)} exited with {process.ExitCode}: {(await error).Trim()} {(await output).Trim()}".Trim());
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw;
        }
    }

    /// <summary>The first 10 KiB a probe command printed, as the kubelet keeps them; the rest is read and dropped, so a chatty probe costs no memory.</summary>
    private static async Task<string> ReadCappedAsync(StreamReader reader, CancellationToken cancel)
    {
        const int Kept = 10 * 1024;
        var kept = new System.Text.StringBuilder();
        var buffer = new char[4096];
        int read;
        while ((read = await reader.ReadAsync(buffer, cancel)) > 0)
        {
            kept.Append(buffer, 0, Math.Min(read, Math.Max(0, Kept - kept.Length)));
        }

        return kept.ToString();
    }
}
