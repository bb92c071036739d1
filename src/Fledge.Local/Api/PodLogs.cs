using Fledge.Local.Store;
using Microsoft.AspNetCore.Http;

namespace Fledge.Local.Api;

/// <summary>`logs pod/NAME [-f]`: the replica's log file, followed while the replica lives when asked.</summary>
internal static class PodLogs
{
    public static async Task StreamAsync(DataDirectory directory, RuntimeCommands commands, string pod, bool follow, HttpContext context)
    {
        var path = directory.LogOf(pod);
        if (!File.Exists(path))
        {
            throw CommandException.NotFound("Pod", pod);
        }

        context.Response.ContentType = "text/plain; charset=utf-8";
        await using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        var buffer = new byte[16 * 1024];
        var cancel = context.RequestAborted;
        try
        {
            while (!cancel.IsCancellationRequested)
            {
                var read = await file.ReadAsync(buffer, cancel);
                if (read > 0)
                {
                    await context.Response.Body.WriteAsync(buffer.AsMemory(0, read), cancel);
                    await context.Response.Body.FlushAsync(cancel);
                    continue;
                }

                if (!follow || !commands.Pods().Items.Any(p => p.Name == pod))
                {
                    return;
                }

                await Task.Delay(200, cancel);
            }
        }
        catch (OperationCanceledException)
        {
            // The client went away.
        }
    }
}
