using YamlDotNet.RepresentationModel;

namespace Fledge.Local.Images;

/// <summary>
/// Maps image references to command lines, so that manifests written for Kubernetes (a container with an
/// image and no command) run as local processes. The file is YAML: each key an image ("fledge/hello:v1") or
/// an image without tag ("fledge/hello", any tag), each value a list (the command and its arguments).
/// </summary>
public sealed class ImageTable
{
    private readonly Dictionary<string, IReadOnlyList<string>> _entries;

    public ImageTable(IReadOnlyDictionary<string, IReadOnlyList<string>> entries) =>
        _entries = new Dictionary<string, IReadOnlyList<string>>(entries, StringComparer.Ordinal);

    public static ImageTable Empty { get; } = new(new Dictionary<string, IReadOnlyList<string>>());

    public IReadOnlyDictionary<string, IReadOnlyList<string>> Entries => _entries;

    /// <summary>Reads the table; a missing file is an empty table, a malformed one an error naming the line.</summary>
    public static ImageTable Load(string path)
    {
        if (!File.Exists(path))
        {
            return Empty;
        }

        var stream = new YamlStream();
        try
        {
            stream.Load(new StringReader(File.ReadAllText(path)));
        }
        catch (YamlDotNet.Core.YamlException e)
        {
            throw new InvalidDataException($"{path}:{e.Start.Line}:{e.Start.Column}: invalid YAML in the image table: {e.Message}", e);
        }

        var entries = new Dictionary<string, IReadOnlyList<string>>(StringComparer.Ordinal);
        if (stream.Documents.Count == 0 || stream.Documents[0].RootNode is not YamlMappingNode root)
        {
            return new ImageTable(entries);
        }

        foreach (var (key, value) in root.Children)
        {
            var image = (key as YamlScalarNode)?.Value ?? "";
            if (value is not YamlSequenceNode command || command.Children.Count == 0)
            {
                throw new InvalidDataException($"{path}:{key.Start.Line}: image \"{image}\" must map to a list: the command and its arguments, e.g. [\"/usr/bin/python3\", \"app.py\"]");
            }

            entries[image] = command.Children.Select(c => (c as YamlScalarNode)?.Value ?? "").ToList();
        }

        return new ImageTable(entries);
    }

    public ImageTable With(string image, IReadOnlyList<string> command)
    {
        var entries = new Dictionary<string, IReadOnlyList<string>>(_entries, StringComparer.Ordinal) { [image] = command };
        return new ImageTable(entries);
    }

    /// <summary>The command for an image: an exact match first, then the image without its tag.</summary>
    public IReadOnlyList<string>? Resolve(string image)
    {
        if (_entries.TryGetValue(image, out var exact))
        {
            return exact;
        }

        var colon = image.LastIndexOf(':');
        return colon > image.LastIndexOf('/') && _entries.TryGetValue(image[..colon], out var untagged) ? untagged : null;
    }
}
