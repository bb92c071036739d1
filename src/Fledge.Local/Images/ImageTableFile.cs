using Microsoft.Extensions.Logging;

namespace Fledge.Local.Images;

/// <summary>
/// The runtime's image table: the file (images.yaml, or --images) with the built-in images beneath it, read again
/// whenever the file changes, so mapping an image takes effect without restarting the runtime and its replicas.
/// A file that no longer reads keeps the last good table, and says why.
/// </summary>
internal sealed class ImageTableFile(string path, IReadOnlyDictionary<string, IReadOnlyList<string>> builtIn, ILogger logger)
{
    private readonly Lock _gate = new();
    private ImageTable _table = WithBuiltIn(ImageTable.Load(path), builtIn);
    private (DateTime Written, long Length) _seen = Stamp(path);

    public string Path => path;

    /// <summary>The table as it is now.</summary>
    public ImageTable Current
    {
        get
        {
            lock (_gate)
            {
                return _table;
            }
        }
    }

    /// <summary>Reads the file again when it changed since the last look; true when the table changed.</summary>
    public bool Refresh()
    {
        var stamp = Stamp(path);
        lock (_gate)
        {
            if (stamp == _seen)
            {
                return false;
            }

            _seen = stamp;
        }

        ImageTable table;
        try
        {
            table = WithBuiltIn(ImageTable.Load(path), builtIn);
        }
        catch (Exception e) when (e is InvalidDataException or IOException or UnauthorizedAccessException)
        {
            logger.LogWarning("the image table {Path} changed but cannot be read; keeping the previous one: {Error}", path, e.Message);
            return false;
        }

        lock (_gate)
        {
            _table = table;
        }

        logger.LogInformation("image table {Path} read again: {Count} image(s)", path, table.Entries.Count);
        return true;
    }

    private static ImageTable WithBuiltIn(ImageTable table, IReadOnlyDictionary<string, IReadOnlyList<string>> builtIn)
    {
        foreach (var (image, command) in builtIn)
        {
            if (!table.Entries.ContainsKey(image))
            {
                table = table.With(image, command);
            }
        }

        return table;
    }

    private static (DateTime, long) Stamp(string path)
    {
        var info = new FileInfo(path);
        return info.Exists ? (info.LastWriteTimeUtc, info.Length) : (DateTime.MinValue, -1);
    }
}
