namespace Fledge.Core.Rollouts;

/// <summary>A blue-green rollout's strategy with Argo Rollouts' defaults (auto-promotion on, 30 s scale-down delays).</summary>
public sealed record BlueGreenStrategy(
    string ActiveService,
    string? PreviewService,
    bool AutoPromotionEnabled,
    int? AutoPromotionSeconds,
    int? PreviewReplicaCount,
    int ScaleDownDelaySeconds,
    int AbortScaleDownDelaySeconds,
    Analysis.RolloutAnalysis? PrePromotionAnalysis,
    Analysis.RolloutAnalysis? PostPromotionAnalysis);
