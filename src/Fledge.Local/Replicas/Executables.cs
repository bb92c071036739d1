namespace Fledge.Local.Replicas;

/// <summary>
/// Finds the program a container's command names, as execvp would (a path with a slash as it is, relative to
/// the working directory; a bare name on PATH), so that a missing or non-executable program is named before
/// anything starts.
/// </summary>
internal static class Executables
{
    /// <summary>The program's full path, or null with the reason it cannot run.</summary>
    public static string? Resolve(string program, string? path, string workingDirectory, out string reason)
    {
        reason = "";
        if (program.Length == 0)
        {
            reason = "the command is empty";
            return null;
        }

        if (program.Contains('/', StringComparison.Ordinal))
        {
            var full = Path.GetFullPath(program, workingDirectory);
            return Check(full, out reason) ? full : null;
        }

        foreach (var directory in (path ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries))
        {
            var candidate = Path.Combine(Path.GetFullPath(directory, workingDirectory), program);
            if (File.Exists(candidate) && Check(candidate, out reason))
            {
                return candidate;
            }
        }

        reason = $"executable file not found in $PATH ({path})";
        return null;
    }

    private static bool Check(string file, out string reason)
    {
        reason = "";
        if (Directory.Exists(file))
        {
            reason = "is a directory";
            return false;
        }

        if (!File.Exists(file))
        {
            reason = "no such file or directory";
            return false;
        }

        const UnixFileMode executable = UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute;
        if ((File.GetUnixFileMode(file) & executable) == 0)
        {
            reason = "permission denied (the file is not executable)";
            return false;
        }

        return true;
    }
}
