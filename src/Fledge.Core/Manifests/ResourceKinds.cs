using k8s.Models;

namespace Fledge.Core.Manifests;

/// <summary>The apiVersion/kind pairs Fledge reads, and the type each is read into.</summary>
public static class ResourceKinds
{
    public const string FledgeApiVersion = "fledge.io/v1alpha1";

    /// <summary>Argo Rollouts' group: its Rollouts and AnalysisTemplates are read as written.</summary>
    public const string ArgoApiVersion = "argoproj.io/v1alpha1";

    private static readonly (string ApiVersion, string Kind, ResourceReader Reader)[] Known =
    [
        (FledgeApiVersion, "Rollout", ResourceReader.For<RolloutResource>()),
        (ArgoApiVersion, "Rollout", ResourceReader.For<RolloutResource>()),
        ("apps/v1", "Deployment", ResourceReader.For<V1Deployment>()),
        ("apps/v1beta2", "Deployment", ResourceReader.For<V1Deployment>()),
        ("apps/v1beta1", "Deployment", ResourceReader.For<V1Deployment>()),
        ("extensions/v1beta1", "Deployment", ResourceReader.For<V1Deployment>()),
        ("apps/v1", "ReplicaSet", ResourceReader.For<V1ReplicaSet>()),
        ("v1", "Service", ResourceReader.For<V1Service>()),
        (FledgeApiVersion, "AnalysisTemplate", ResourceReader.For<AnalysisTemplateResource>()),
        (ArgoApiVersion, "AnalysisTemplate", ResourceReader.For<AnalysisTemplateResource>()),
        (FledgeApiVersion, "ClusterAnalysisTemplate", ResourceReader.For<AnalysisTemplateResource>()),
        (ArgoApiVersion, "ClusterAnalysisTemplate", ResourceReader.For<AnalysisTemplateResource>()),
        // One run of an analysis, as Argo's controller writes it (and `kubectl get analysisrun -o yaml` prints it): its metrics and arguments.
        (FledgeApiVersion, AnalysisTemplateReader.RunKind, ResourceReader.For<AnalysisTemplateResource>()),
        (ArgoApiVersion, AnalysisTemplateReader.RunKind, ResourceReader.For<AnalysisTemplateResource>()),
        (Kanarini.CanaryDeployment.ApiVersion, Kanarini.CanaryDeployment.KindName, ResourceReader.For<CanaryDeploymentResource>()),
    ];

    /// <summary>Shown when a kind is not known: the kinds people write, not every legacy spelling.</summary>
    public const string Supported =
        "\"fledge.io/v1alpha1, Kind=Rollout\", \"fledge.io/v1alpha1, Kind=AnalysisTemplate\", \"argoproj.io/v1alpha1, Kind=Rollout\", \"argoproj.io/v1alpha1, Kind=AnalysisTemplate\", \"argoproj.io/v1alpha1, Kind=ClusterAnalysisTemplate\", \"argoproj.io/v1alpha1, Kind=AnalysisRun\", \"apps/v1, Kind=Deployment\", \"kanarini.nilebox.github.com/v1alpha1, Kind=CanaryDeployment\", \"apps/v1, Kind=ReplicaSet\", \"v1, Kind=Service\", \"v1, Kind=List\"";

    /// <summary>The reader for a kind, or null when the kind is not known.</summary>
    public static ResourceReader? Find(string apiVersion, string kind)
    {
        foreach (var (knownVersion, knownKind, reader) in Known)
        {
            if (knownVersion == apiVersion && knownKind == kind)
            {
                return reader;
            }
        }

        return null;
    }

    public static bool IsList(string apiVersion, string kind) => apiVersion == "v1" && kind == "List";
}
