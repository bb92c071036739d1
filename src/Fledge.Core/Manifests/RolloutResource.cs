using k8s.Models;

namespace Fledge.Core.Manifests;

/// <summary>A fledge.io/v1alpha1 Rollout as written. An apps/v1 Deployment is read into the same shape.</summary>
public sealed class RolloutResource
{
    public string? ApiVersion { get; set; }

    public string? Kind { get; set; }

    public V1ObjectMeta? Metadata { get; set; }

    public RolloutSpecResource? Spec { get; set; }

    public V1DeploymentStatus? Status { get; set; }
}

/// <summary>The spec of a Rollout as written; every field is optional until defaults are applied.</summary>
public sealed class RolloutSpecResource
{
    public int? Replicas { get; set; }

    public V1LabelSelector? Selector { get; set; }

    public V1PodTemplateSpec? Template { get; set; }

    public RolloutStrategyResource? Strategy { get; set; }

    public int? MinReadySeconds { get; set; }

    public int? ProgressDeadlineSeconds { get; set; }

    public int? RevisionHistoryLimit { get; set; }

    public bool? Paused { get; set; }

    /// <summary>Argo: abort the update when progressDeadlineSeconds passes without progress.</summary>
    public bool? ProgressDeadlineAbort { get; set; }

    /// <summary>Argo: going back to one of the last N revisions skips the steps and analysis.</summary>
    public RollbackWindowResource? RollbackWindow { get; set; }

    /// <summary>Argo: replace the pods created before this time, one at a time.</summary>
    public string? RestartAt { get; set; }

    /// <summary>Argo: run the template of the Deployment named here.</summary>
    public WorkloadRefResource? WorkloadRef { get; set; }

    /// <summary>Argo: how many finished AnalysisRuns to keep; Fledge keeps a run only while it runs, so these hold.</summary>
    public RolloutAnalysisHistoryResource? Analysis { get; set; }
}

public sealed class RollbackWindowResource
{
    public int? Revisions { get; set; }
}

public sealed class WorkloadRefResource
{
    public string? ApiVersion { get; set; }

    public string? Kind { get; set; }

    public string? Name { get; set; }

    public string? ScaleDown { get; set; }
}

public sealed class RolloutAnalysisHistoryResource
{
    public int? SuccessfulRunHistoryLimit { get; set; }

    public int? UnsuccessfulRunHistoryLimit { get; set; }
}

/// <summary>spec.strategy as written: a type with its RollingUpdate parameters, or a canary (as Argo Rollouts writes it).</summary>
public sealed class RolloutStrategyResource
{
    public string? Type { get; set; }

    public V1RollingUpdateDeployment? RollingUpdate { get; set; }

    public CanaryStrategyResource? Canary { get; set; }

    public BlueGreenStrategyResource? BlueGreen { get; set; }
}

/// <summary>spec.strategy.blueGreen as Argo Rollouts writes it.</summary>
public sealed class BlueGreenStrategyResource
{
    /// <summary>The Service users call: it reaches the active revision only, and switches at promotion.</summary>
    public string? ActiveService { get; set; }

    /// <summary>A Service that reaches the new revision before it is promoted.</summary>
    public string? PreviewService { get; set; }

    public bool? AutoPromotionEnabled { get; set; }

    public int? AutoPromotionSeconds { get; set; }

    public int? PreviewReplicaCount { get; set; }

    public int? ScaleDownDelaySeconds { get; set; }

    public int? AbortScaleDownDelaySeconds { get; set; }

    /// <summary>How many old revisions may wait out scaleDownDelaySeconds at once; older ones go at once.</summary>
    public int? ScaleDownDelayRevisionLimit { get; set; }

    public RolloutAnalysisResource? PrePromotionAnalysis { get; set; }

    public RolloutAnalysisResource? PostPromotionAnalysis { get; set; }
}

/// <summary>spec.strategy.canary as Argo Rollouts writes it.</summary>
public sealed class CanaryStrategyResource
{
    /// <summary>The Service that reaches only the canary's replicas (for its own metrics).</summary>
    public string? CanaryService { get; set; }

    /// <summary>The Service users call; with a traffic router it splits requests by weight.</summary>
    public string? StableService { get; set; }

    public List<CanaryStepResource>? Steps { get; set; }

    public IntOrString? MaxSurge { get; set; }

    public IntOrString? MaxUnavailable { get; set; }

    public int? AbortScaleDownDelaySeconds { get; set; }

    public int? ScaleDownDelaySeconds { get; set; }

    /// <summary>How many old revisions may wait out scaleDownDelaySeconds at once; older ones go at once.</summary>
    public int? ScaleDownDelayRevisionLimit { get; set; }

    /// <summary>With a router: scale the stable revision down as its traffic share goes down.</summary>
    public bool? DynamicStableScale { get; set; }

    /// <summary>With a router: the fewest replicas a revision that runs at all may have.</summary>
    public int? MinPodsPerReplicaSet { get; set; }

    /// <summary>Present (even empty) when the single-host proxy should split traffic by exact weights.</summary>
    public TrafficRoutingResource? TrafficRouting { get; set; }

    /// <summary>Analysis that runs in the background from startingStep until the canary is promoted.</summary>
    public RolloutAnalysisResource? Analysis { get; set; }

    /// <summary>Flagger's webhooks: HTTP gates and notifications at the points of a release.</summary>
    public List<WebhookResource>? Webhooks { get; set; }
}

/// <summary>
/// A webhook as Flagger writes it: confirm-rollout (before the canary starts; waits for a 2xx), pre-rollout (before it
/// gets traffic; failures past retries abort), confirm-promotion (before promotion; waits), rollback (asked while the
/// canary runs; a 2xx aborts it), post-rollout (after promotion or abort) and event (every event of the release).
/// </summary>
public sealed class WebhookResource
{
    public string? Name { get; set; }

    public string? Type { get; set; }

    public string? Url { get; set; }

    public string? Timeout { get; set; }

    public int? Retries { get; set; }

    public Dictionary<string, string>? Metadata { get; set; }
}

/// <summary>One canary step; exactly one field is set.</summary>
public sealed class CanaryStepResource
{
    public int? SetWeight { get; set; }

    public PauseResource? Pause { get; set; }

    public SetCanaryScaleResource? SetCanaryScale { get; set; }

    /// <summary>Run these templates; the step completes when they succeed.</summary>
    public RolloutAnalysisResource? Analysis { get; set; }

    /// <summary>Requests with these headers go to the canary.</summary>
    public SetHeaderRouteResource? SetHeaderRoute { get; set; }

    /// <summary>A copy of matching requests goes to the canary.</summary>
    public SetMirrorRouteResource? SetMirrorRoute { get; set; }

    /// <summary>Run the stable and canary templates side by side with analyses (Argo's experiment step).</summary>
    public ExperimentStepResource? Experiment { get; set; }
}

/// <summary>experiment: replica sets of the stable or canary template run for a duration while analyses judge them.</summary>
public sealed class ExperimentStepResource
{
    public string? Duration { get; set; }

    public List<ExperimentTemplateResource>? Templates { get; set; }

    public List<ExperimentAnalysisResource>? Analyses { get; set; }

    /// <summary>Labels and annotations Argo puts on the AnalysisRuns it creates; Fledge's runs are part of the rollout's status.</summary>
    public Dictionary<string, object>? AnalysisRunMetadata { get; set; }
}

/// <summary>One template of an experiment: the stable or canary pod template, how many replicas, and labels of its own.</summary>
public sealed class ExperimentTemplateResource
{
    public string? Name { get; set; }

    public string? SpecRef { get; set; }

    public int? Replicas { get; set; }

    public V1LabelSelector? Selector { get; set; }

    public ExperimentPodMetadataResource? Metadata { get; set; }

    /// <summary>Argo creates a Service for the template; refused with the fix.</summary>
    public Dictionary<string, object>? Service { get; set; }

    /// <summary>Argo routes this share of traffic to the template through a router; refused with the fix.</summary>
    public int? Weight { get; set; }
}

/// <summary>Labels and annotations that replace the pod template's for an experiment's replicas.</summary>
public sealed class ExperimentPodMetadataResource
{
    public Dictionary<string, string>? Labels { get; set; }

    public Dictionary<string, string>? Annotations { get; set; }
}

/// <summary>One analysis of an experiment: a template with its arguments.</summary>
public sealed class ExperimentAnalysisResource
{
    public string? Name { get; set; }

    public string? TemplateName { get; set; }

    public bool? ClusterScope { get; set; }

    public List<AnalysisArgResource>? Args { get; set; }

    /// <summary>Without a duration, the experiment ends once its required analyses have completed.</summary>
    public bool? RequiredForCompletion { get; set; }
}

/// <summary>setHeaderRoute: a managed route's name and the headers that send a request to the canary (none removes the route).</summary>
public sealed class SetHeaderRouteResource
{
    public string? Name { get; set; }

    public List<HeaderRoutingMatchResource>? Match { get; set; }
}

/// <summary>One header of a setHeaderRoute: its name and how its value matches.</summary>
public sealed class HeaderRoutingMatchResource
{
    public string? HeaderName { get; set; }

    public StringMatchResource? HeaderValue { get; set; }
}

/// <summary>setMirrorRoute: a managed route's name, what to copy and how much of it (none removes the route).</summary>
public sealed class SetMirrorRouteResource
{
    public string? Name { get; set; }

    public List<RouteMatchResource>? Match { get; set; }

    public int? Percentage { get; set; }
}

/// <summary>A request match: method, path and headers, all of those written.</summary>
public sealed class RouteMatchResource
{
    public StringMatchResource? Method { get; set; }

    public StringMatchResource? Path { get; set; }

    public Dictionary<string, StringMatchResource>? Headers { get; set; }
}

/// <summary>exact, prefix or regex: exactly one.</summary>
public sealed class StringMatchResource
{
    public string? Exact { get; set; }

    public string? Prefix { get; set; }

    public string? Regex { get; set; }
}

/// <summary>A route name the steps may set (trafficRouting.managedRoutes).</summary>
public sealed class ManagedRouteResource
{
    public string? Name { get; set; }
}

/// <summary>pause: {} waits for a person; pause: {duration: 30s} waits that long.</summary>
public sealed class PauseResource
{
    public IntOrString? Duration { get; set; }
}

/// <summary>setCanaryScale: replicas, weight, or matchTrafficWeight.</summary>
public sealed class SetCanaryScaleResource
{
    public int? Replicas { get; set; }

    public int? Weight { get; set; }

    public bool? MatchTrafficWeight { get; set; }
}

/// <summary>spec.strategy.canary.trafficRouting: the single-host proxy is the only router for now.</summary>
public sealed class TrafficRoutingResource
{
    /// <summary>Unused; keeps the mapping a mapping when written as `trafficRouting: {}`.</summary>
    public Dictionary<string, string>? Fledge { get; set; }

    /// <summary>The total weight setWeight steps count out of (default 100): setWeight 50 of 200 is a quarter of requests.</summary>
    public int? MaxTrafficWeight { get; set; }

    /// <summary>The routes setHeaderRoute and setMirrorRoute steps manage, in order of precedence.</summary>
    public List<ManagedRouteResource>? ManagedRoutes { get; set; }
}
