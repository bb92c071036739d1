using System.Runtime.InteropServices;

namespace Fledge.Local.Store;

/// <summary>
/// Who owns a file and who may write it, read with statx(2) without following symbolic links: .NET tells a file's
/// mode but not its owner. statx's layout is the same on every Linux architecture.
/// </summary>
internal static partial class FileOwner
{
    private const int AtFdCwd = -100;
    private const int AtSymlinkNoFollow = 0x100;
    private const uint StatxBasicStats = 0x7ff;

    /// <summary>The file's owner, mode and whether it is a symbolic link; null when it does not exist.</summary>
    public static (uint Uid, UnixFileMode Mode, bool Symlink)? Of(string path)
    {
        Span<byte> buffer = stackalloc byte[256];
        if (Statx(AtFdCwd, path, AtSymlinkNoFollow, StatxBasicStats, ref MemoryMarshal.GetReference(buffer)) != 0)
        {
            var error = Marshal.GetLastPInvokeError();
            return error == 2 /* ENOENT */ ? null : throw new IOException($"cannot look at {path}: {Marshal.GetPInvokeErrorMessage(error)}");
        }

        // struct statx: stx_uid at 20, stx_mode (16 bits) at 28.
        var uid = BitConverter.ToUInt32(buffer[20..24]);
        var mode = BitConverter.ToUInt16(buffer[28..30]);
        const int typeMask = 0xF000;
        const int symlink = 0xA000;
        return (uid, (UnixFileMode)(mode & 0xFFF), (mode & typeMask) == symlink);
    }

    /// <summary>The user this process runs as.</summary>
    public static uint CurrentUser => GetUid();

    [LibraryImport("libc", EntryPoint = "statx", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int Statx(int directory, string path, int flags, uint mask, ref byte buffer);

    [LibraryImport("libc", EntryPoint = "geteuid")]
    private static partial uint GetUid();
}
