using k8s.Models;

namespace Fledge.Core.Manifests;

/// <summary>A fledge.io/v1alpha1 (or argoproj.io/v1alpha1) AnalysisTemplate as written.</summary>
public sealed class AnalysisTemplateResource
{
    public string? ApiVersion { get; set; }

    public string? Kind { get; set; }

    public V1ObjectMeta? Metadata { get; set; }

    public AnalysisTemplateSpecResource? Spec { get; set; }
}

public sealed class AnalysisTemplateSpecResource
{
    public List<AnalysisArgResource>? Args { get; set; }

    public List<AnalysisMetricResource>? Metrics { get; set; }

    /// <summary>Metrics (by name, a regular expression) measured and shown but never deciding the run.</summary>
    public List<DryRunResource>? DryRun { get; set; }

    /// <summary>How many measurements to keep of metrics (by name, a regular expression); 10 otherwise.</summary>
    public List<MeasurementRetentionResource>? MeasurementRetention { get; set; }

    /// <summary>An AnalysisRun's: stop measuring (Argo's `kubectl argo rollouts terminate analysisrun`).</summary>
    public bool? Terminate { get; set; }
}

public sealed class DryRunResource
{
    public string? MetricName { get; set; }
}

public sealed class MeasurementRetentionResource
{
    public string? MetricName { get; set; }

    public int? Limit { get; set; }
}

/// <summary>An argument: a name, and a default value (or one the rollout passes, or one read from elsewhere).</summary>
public sealed class AnalysisArgResource
{
    public string? Name { get; set; }

    public string? Value { get; set; }

    public ArgumentValueFromResource? ValueFrom { get; set; }
}

/// <summary>
/// Where an argument's value comes from: a Secret's key (a template's argument, on Kubernetes), a field of the rollout's
/// metadata, or the pod-template-hash of its stable or latest revision (a rollout's argument).
/// </summary>
public sealed class ArgumentValueFromResource
{
    public SecretKeySelectorResource? SecretKeyRef { get; set; }

    public FieldRefResource? FieldRef { get; set; }

    public string? PodTemplateHashValue { get; set; }
}

public sealed class SecretKeySelectorResource
{
    public string? Name { get; set; }

    public string? Key { get; set; }
}

public sealed class FieldRefResource
{
    public string? FieldPath { get; set; }
}

public sealed class AnalysisMetricResource
{
    public string? Name { get; set; }

    public IntOrString? Interval { get; set; }

    public IntOrString? Count { get; set; }

    public IntOrString? InitialDelay { get; set; }

    public string? SuccessCondition { get; set; }

    public string? FailureCondition { get; set; }

    public IntOrString? FailureLimit { get; set; }

    public IntOrString? InconclusiveLimit { get; set; }

    public IntOrString? ConsecutiveErrorLimit { get; set; }

    /// <summary>The metric succeeds once this many measurements in a row succeed.</summary>
    public IntOrString? ConsecutiveSuccessLimit { get; set; }

    /// <summary>
    /// One key: the provider kind (prometheus, web, fledge, kubernetes), mapping to its settings; each setting is one
    /// value, and one with nested fields (Argo's authentication, a job's spec) is read so that its error can name it.
    /// </summary>
    public Dictionary<string, Dictionary<string, object?>?>? Provider { get; set; }
}

/// <summary>A canary's analysis: templates by name, the arguments to give them, and (in the background) the step to start at.</summary>
public sealed class RolloutAnalysisResource
{
    public List<AnalysisTemplateRefResource>? Templates { get; set; }

    public List<AnalysisArgResource>? Args { get; set; }

    public int? StartingStep { get; set; }

    public List<DryRunResource>? DryRun { get; set; }

    public List<MeasurementRetentionResource>? MeasurementRetention { get; set; }
}

public sealed class AnalysisTemplateRefResource
{
    public string? TemplateName { get; set; }

    /// <summary>Names a ClusterAnalysisTemplate instead of an AnalysisTemplate of the rollout's namespace.</summary>
    public bool? ClusterScope { get; set; }
}
