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
    Analysis.RolloutAnalysis? PostPromotionAnalysis)
{
    /// <summary>How many old revisions may wait out scaleDownDelaySeconds at once (null: all); older ones go at once.</summary>
    public int? ScaleDownDelayRevisionLimit { get; init; }

    /// <summary>Argo's meaning of abortScaleDownDelaySeconds: 0 keeps an aborted preview running until the next version.</summary>
    public bool KeepsAbortedPreview => AbortScaleDownDelaySeconds == 0;
}
