using System.Text.RegularExpressions;
using Fledge.Core.Manifests;
using Fledge.Tests;

namespace Fledge.Core.Tests.Manifests;

/// <summary>
/// Argo Rollouts' own files (tests/conformance/argo: its examples, getting-started and the YAML of its docs), as users
/// bring them: each object loads, or is refused with a message located in the file that names the field, kind or
/// provider and what Fledge takes instead; never a deserializer's message.
/// </summary>
public sealed partial class ArgoCorpusTests
{
    public static TheoryData<string> Files => new(Directory.EnumerateFiles(ConformanceFiles.PathOf("argo"), "*.yaml", SearchOption.AllDirectories)
        .Select(f => Path.GetRelativePath(ConformanceFiles.PathOf("argo"), f)).Order(StringComparer.Ordinal));

    [Theory]
    [MemberData(nameof(Files))]
    public void ArgoFile_LoadsOrIsRefusedWithAFieldAndWhatFledgeTakes(string file)
    {
        var path = ConformanceFiles.PathOf(Path.Combine("argo", file));
        var loaded = ManifestLoader.LoadFile(path);
        var messages = loaded.Errors.Select(e => e.ToString()).ToList();
        foreach (var obj in loaded.Objects)
        {
            messages.AddRange(obj.Resource switch
            {
                RolloutResource or k8s.Models.V1Deployment => RolloutReader.Read(obj).Errors.Select(e => e.ToString()),
                AnalysisTemplateResource => AnalysisTemplateReader.Read(obj).Errors.Select(e => e.ToString()),
                _ => [],
            });
        }

        foreach (var message in messages)
        {
            message.ShouldStartWith(path + ":", customMessage: "every error says where it is");
            DeserializerWords().IsMatch(message).ShouldBeFalse($"a deserializer's message: {message}");
            // What is wrong, by field or kind, and what to do: Kubernetes' wording with the supported values, the
            // fields there are, or the fix
            Kubernetes().IsMatch(message).ShouldBeTrue($"no field, kind or fix named: {message}");
        }
    }

    [Fact]
    public void ArgoCorpus_TheRolloutsWithoutRoutersOrExperimentsLoad()
    {
        string[] working = ["examples/rollout-bluegreen.yaml", "examples/rollout-canary.yaml", "examples/rollout-rolling-update.yaml", "getting-started/basic/rollout.yaml"];

        foreach (var file in working)
        {
            var loaded = ManifestLoader.LoadFile(ConformanceFiles.PathOf(file.Replace("examples/", "argo/examples/", StringComparison.Ordinal).Replace("getting-started/", "argo/getting-started/", StringComparison.Ordinal)));
            loaded.Errors.ShouldBeEmpty(file);
            loaded.Objects.Where(o => o.Resource is RolloutResource).ShouldAllBe(o => RolloutReader.Read(o).Errors.Count == 0, file);
        }
    }

    [GeneratedRegex(@"System\.|Exception|instance of type|could not be converted|BytePosition|LineNumber:")]
    private static partial Regex DeserializerWords();

    [GeneratedRegex(@"(spec|metadata|kind|apiVersion)(\.[\w\[\]]+)*: (Invalid value|Required value|Unsupported value|Forbidden|Duplicate value|unknown field)|invalid YAML: ")]
    private static partial Regex Kubernetes();
}
