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
        var messages = Errors(path);

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
    public void ArgoCorpus_TheRolloutsWithoutRoutersLoad()
    {
        string[] working =
        [
            "examples/rollout-bluegreen.yaml", "examples/rollout-canary.yaml", "examples/rollout-rolling-update.yaml", "getting-started/basic/rollout.yaml",
            "examples/analysis-templates.yaml", "examples/cluster-analysis-templates.yaml", "examples/rollout-analysis-step.yaml",
            "examples/rollout-background-analysis.yaml", "docs/features__analysis-1.yaml", "docs/features__analysis-2.yaml",
            "docs/features__bluegreen-1.yaml", "docs/features__canary__index-1.yaml", "docs/features__vpa-support-1.yaml",
            "examples/rollout-baseline-vs-canary.yaml", "examples/rollout-experiment-step.yaml", "examples/rollout-canary-preview.yaml",
            "examples/rollout-template-ref.yaml", "docs/migrating-1.yaml", "examples/workload-ref/workload-ref.yaml",
        ];

        foreach (var file in working)
        {
            Errors(ConformanceFiles.PathOf(Path.Combine("argo", file))).ShouldBeEmpty(file);
        }
    }

    /// <summary>How many of Argo's files load with no error at all (the conformance score, written to the test's output).</summary>
    [Fact]
    public void ArgoCorpus_Score()
    {
        var files = Files.Select(f => f.Data).ToList();
        var working = files.Where(f => Errors(ConformanceFiles.PathOf(Path.Combine("argo", f))).Count == 0).ToList();

        TestContext.Current.SendDiagnosticMessage($"Argo corpus: {working.Count} of {files.Count} files load as written:\n{string.Join("\n", working)}");
        working.Count.ShouldBeGreaterThanOrEqualTo(29, "the score may only go up");
    }

    private static List<string> Errors(string path)
    {
        var loaded = ManifestLoader.LoadFile(path);
        var messages = loaded.Errors.Select(e => e.ToString()).ToList();
        // A workloadRef names a Deployment of the same file, as Argo's examples write them
        var deployments = WorkloadRefs.DeploymentsOf(loaded.Objects);
        foreach (var obj in loaded.Objects)
        {
            messages.AddRange(obj.Resource switch
            {
                RolloutResource or k8s.Models.V1Deployment => RolloutReader.Read(obj, deployments.GetValueOrDefault).Errors.Select(e => e.ToString()),
                AnalysisTemplateResource => AnalysisTemplateReader.Read(obj).Errors.Select(e => e.ToString()),
                _ => [],
            });
        }

        return messages;
    }

    [GeneratedRegex(@"System\.|Exception|instance of type|could not be converted|BytePosition|LineNumber:")]
    private static partial Regex DeserializerWords();

    [GeneratedRegex(@"(spec|metadata|kind|apiVersion)(\.[\w\[\]]+)*: (Invalid value|Required value|Unsupported value|Forbidden|Duplicate value|unknown field)|invalid YAML: ")]
    private static partial Regex Kubernetes();
}
