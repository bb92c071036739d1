using System.Text;

namespace Fledge.Core.Manifests;

/// <summary>Reads a manifest file ("-" for standard input) without ever holding more than the size a manifest may have.</summary>
public static class ManifestText
{
    /// <summary>The text, or why it cannot be had (without the path): a file that cannot be read, or one over <see cref="YamlLimits.MaxBytes"/>.</summary>
    public static (string? Text, string? Error) Read(string path)
    {
        try
        {
            using var stream = path == "-" ? Console.OpenStandardInput() : new FileStream(path, FileMode.Open, FileAccess.Read);
            var buffer = new byte[YamlLimits.MaxBytes + 1];
            var length = 0;
            int read;
            while (length < buffer.Length && (read = stream.Read(buffer, length, buffer.Length - length)) > 0)
            {
                length += read;
            }

            return length > YamlLimits.MaxBytes
                ? (null, $"the file is larger than {YamlLimits.MaxBytes} bytes (1.5 MiB, the request limit of Kubernetes' API server); split it into several files")
                : (new UTF8Encoding(false).GetString(buffer, 0, length).TrimStart('\uFEFF'), null);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return (null, $"cannot read the file: {e.Message}");
        }
    }
}
