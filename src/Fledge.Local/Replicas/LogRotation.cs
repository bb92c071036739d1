namespace Fledge.Local.Replicas;

/// <summary>How large a replica's log may grow and how many files of it are kept, as the kubelet's containerLogMaxSize and containerLogMaxFiles.</summary>
public sealed record LogLimits(long MaxBytes, int MaxFiles)
{
    /// <summary>The kubelet's defaults: 10 MiB, 5 files.</summary>
    public static LogLimits Default { get; } = new(10 * 1024 * 1024, 5);
}

/// <summary>
/// Keeps a replica's log within its limits. A replica writes its log itself (the file is its stdout and stderr), so the
/// log is rotated by copying it to POD.log.1 (the older ones move up, the oldest goes) and cutting it to nothing, as
/// logrotate's copytruncate does; the replica's next write lands at the new end. When there is no room to keep the
/// copy (a full disk), the log is cut all the same: a full disk must never be the logs' doing.
/// </summary>
internal static class LogRotation
{
    /// <summary>Rotates the log when it is over the limit; the reason when the rotated copies could not be kept, else null.</summary>
    public static string? Rotate(string log, LogLimits limits)
    {
        var info = new FileInfo(log);
        if (!info.Exists || info.Length <= limits.MaxBytes)
        {
            return null;
        }

        string? problem = null;
        try
        {
            File.Delete($"{log}.{limits.MaxFiles - 1}");
            for (var i = limits.MaxFiles - 2; i >= 1; i--)
            {
                if (File.Exists($"{log}.{i}"))
                {
                    File.Move($"{log}.{i}", $"{log}.{i + 1}");
                }
            }

            if (limits.MaxFiles > 1)
            {
                File.Copy(log, $"{log}.1");
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            problem = $"the rotated log could not be kept ({e.Message}); the log was cut";
            TryDelete($"{log}.1");
        }

        try
        {
            using var stream = new FileStream(log, FileMode.Open, FileAccess.Write, FileShare.ReadWrite | FileShare.Delete);
            stream.SetLength(0);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            problem = $"the log could not be cut ({e.Message})";
        }

        return problem;
    }

    private static void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Nothing more to free.
        }
    }
}
