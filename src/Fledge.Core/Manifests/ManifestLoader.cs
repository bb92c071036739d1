using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Fledge.Core.Manifests;

/// <summary>
/// Reads YAML (one or many documents) or JSON into typed objects, using KubernetesClient's model types.
/// Each document is read on its own, so one bad document does not hide the errors of the others, and
/// every error carries the line and column it refers to.
/// </summary>
public static class ManifestLoader
{
    public static LoadResult LoadFile(string path)
    {
        var (text, error) = ManifestText.Read(path);
        return text is null ? new LoadResult([], [new ManifestError(path, null, null, error!)]) : Load(text, path);
    }

    public static LoadResult Load(string text, string source)
    {
        var objects = new List<ManifestObject>();
        var errors = new List<ManifestError>();
        var stream = new YamlStream();
        try
        {
            if (YamlLimits.Check(text) is { } tooMuch)
            {
                errors.Add(new ManifestError(source, tooMuch.Line, tooMuch.Column, tooMuch.Message));
                return new LoadResult(objects, errors);
            }

            stream.Load(new StringReader(text));
        }
        catch (YamlException e)
        {
            errors.Add(new ManifestError(source, (int)e.Start.Line, (int)e.Start.Column, $"invalid YAML: {Describe(e)}"));
            return new LoadResult(objects, errors);
        }
        catch (Exception e) when (e is InvalidOperationException or ArgumentException or FormatException or OverflowException)
        {
            // YamlDotNet's scanner fails on some malformed text (an unclosed flow mapping) with its own state errors.
            errors.Add(new ManifestError(source, null, null, $"invalid YAML: the text does not parse ({e.Message}); check brackets, braces, quotes and indentation"));
            return new LoadResult(objects, errors);
        }

        foreach (var document in stream.Documents)
        {
            switch (document.RootNode)
            {
                case YamlMappingNode mapping:
                    Read(source, mapping, objects, errors);
                    break;
                case YamlScalarNode { Value: null or "" }:
                    break;
                default:
                    errors.Add(new ManifestError(source, (int)document.RootNode.Start.Line, (int)document.RootNode.Start.Column,
                        "a document must be a mapping with apiVersion, kind, metadata and spec"));
                    break;
            }
        }

        if (objects.Count == 0 && errors.Count == 0)
        {
            errors.Add(new ManifestError(source, null, null, "the file holds no objects"));
        }

        return new LoadResult(objects, errors);
    }

    private static void Read(string source, YamlMappingNode node, List<ManifestObject> objects, List<ManifestError> errors)
    {
        var apiVersion = Scalar(node, "apiVersion");
        var kind = Scalar(node, "kind");
        if (string.IsNullOrEmpty(apiVersion) || string.IsNullOrEmpty(kind))
        {
            var missing = string.IsNullOrEmpty(apiVersion) ? "apiVersion" : "kind";
            errors.Add(new ManifestError(source, (int)node.Start.Line, (int)node.Start.Column,
                $"{missing}: Required value: every object needs apiVersion and kind (for example apiVersion: fledge.io/v1alpha1, kind: Rollout)"));
            return;
        }

        if (ResourceKinds.IsList(apiVersion, kind))
        {
            if (Child(node, "items") is YamlSequenceNode items)
            {
                foreach (var item in items.Children.OfType<YamlMappingNode>())
                {
                    Read(source, item, objects, errors);
                }
            }

            return;
        }

        var name = Child(node, "metadata") is YamlMappingNode metadata ? Scalar(metadata, "name") ?? "" : "";
        var reader = ResourceKinds.Find(apiVersion, kind);
        if (reader is null)
        {
            var hint = kind == "Experiment" && apiVersion == ResourceKinds.ArgoApiVersion
                ? "; Fledge runs an experiment as a Rollout's canary step (- experiment: {duration, templates: [{name, specRef: stable|canary}], analyses}), not on its own"
                : "";
            errors.Add(new ManifestError(source, (int)node.Start.Line, (int)node.Start.Column,
                $"kind: Unsupported value: \"{apiVersion}, Kind={kind}\": supported values: {ResourceKinds.Supported}{hint}"));
            return;
        }

        // Status is the system's to write: what `get -o yaml` printed is taken back as it is, with the status fields
        // Fledge does not read left out (Kubernetes' API server ignores status on create and update; `fledge plan`
        // reads the counts of a Deployment's and a ReplicaSet's status).
        UnknownFields.PruneStatus(node, reader.Type);
        var display = $"{kind} \"{name}\"";
        var unknown = UnknownFields.Find(node, reader.Type);
        foreach (var field in unknown)
        {
            errors.Add(new ManifestError(source, (int)field.Key.Start.Line, (int)field.Key.Start.Column,
                $"{display}: {field.Path}: unknown field \"{field.Field}\"{field.Hint}"));
        }

        var yaml = Serialize(node);
        try
        {
            // Unknown fields are reported above, all at once; then the rest is still read and validated.
            var resource = reader.Read(yaml, unknown.Count == 0);
            objects.Add(new ManifestObject(source, apiVersion, kind, name, resource, node));
        }
        catch (YamlException e)
        {
            // The error's position is in the re-serialised text: find the field there, then that field in the file.
            var copy = new YamlStream();
            copy.Load(new StringReader(yaml));
            var path = YamlPaths.PathAt(copy.Documents[0].RootNode, e.Start);
            var at = path is null ? node : YamlPaths.Find(node, path);
            errors.Add(new ManifestError(source, (int)at.Start.Line, (int)at.Start.Column, $"{display}: {InvalidValueMessage(e, path, node)}"));
        }
    }

    /// <summary>One object's node as YAML text of its own (scalar styles kept, so "1" stays a string).</summary>
    private static string Serialize(YamlNode node)
    {
        var writer = new StringWriter();
        new YamlStream(new YamlDocument(node)).Save(writer, assignAnchors: false);
        return writer.ToString();
    }

    private static string InvalidValueMessage(YamlException e, string? path, YamlMappingNode root)
    {
        var node = path is null ? null : YamlPaths.Find(root, path);
        var detail = Plain(e.InnerException?.Message ?? Describe(e));
        return node switch
        {
            YamlScalarNode value => $"{path}: Invalid value: \"{value.Value}\": {detail}",
            // A mapping or a list where one value is read (a provider's setting with nested fields, say)
            YamlMappingNode or YamlSequenceNode => $"{path}: Unsupported value: {(node is YamlMappingNode ? "a mapping" : "a list")}: " +
                "Fledge reads one value here (text or a number), so its nested fields are not supported; write a single value or leave the field out",
            _ => $"{path ?? "(document)"}: {detail}",
        };
    }

    /// <summary>A deserializer's words in a reader's: "System.Int32" is a whole number, and so on.</summary>
    private static string Plain(string detail) => detail
        .Replace("Failed to create an instance of type 'System.String'", "expected text", StringComparison.Ordinal)
        .Replace("System.String", "text", StringComparison.Ordinal)
        .Replace("System.Int32", "a whole number", StringComparison.Ordinal)
        .Replace("System.Int64", "a whole number", StringComparison.Ordinal)
        .Replace("System.Boolean", "true or false", StringComparison.Ordinal)
        .Replace("System.Double", "a number", StringComparison.Ordinal);

    private static string Describe(YamlException e)
    {
        // YamlDotNet prefixes its messages with "(Line: 3, Col: 5, Idx: 20) - (Line: ...): "; the location is printed separately.
        var message = e.Message;
        var marker = message.IndexOf("): ", StringComparison.Ordinal);
        return message.StartsWith("(Line", StringComparison.Ordinal) && marker >= 0 ? message[(marker + 3)..] : message;
    }

    private static YamlNode? Child(YamlMappingNode node, string key)
    {
        foreach (var (name, value) in node.Children)
        {
            if (name is YamlScalarNode scalar && scalar.Value == key)
            {
                return value;
            }
        }

        return null;
    }

    private static string? Scalar(YamlMappingNode node, string key) => (Child(node, key) as YamlScalarNode)?.Value;
}
