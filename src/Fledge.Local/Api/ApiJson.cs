using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;

namespace Fledge.Local.Api;

/// <summary>
/// The JSON settings the control API and its clients share. The API's own types are serialized by generated code
/// (<see cref="ApiJsonContext"/>), which spares each `fledge` command the reflection that made up a third of its
/// start-up; a type the API sends must be listed there.
/// </summary>
public static class ApiJson
{
    public static JsonSerializerOptions Options => ApiJsonContext.Default.Options;
}

[JsonSourceGenerationOptions(JsonSerializerDefaults.Web, UseStringEnumConverter = true, NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals)]
[JsonSerializable(typeof(ApplyRequest))]
[JsonSerializable(typeof(ApplyResponse))]
[JsonSerializable(typeof(ErrorResponse))]
[JsonSerializable(typeof(MessageResponse))]
[JsonSerializable(typeof(RolloutList))]
[JsonSerializable(typeof(RolloutDetail))]
[JsonSerializable(typeof(ReplicaSetList))]
[JsonSerializable(typeof(PodList))]
[JsonSerializable(typeof(ServiceList))]
[JsonSerializable(typeof(HistoryList))]
[JsonSerializable(typeof(ImageRequest))]
[JsonSerializable(typeof(CanaryDeploymentList))]
[JsonSerializable(typeof(CanaryDeploymentDetail))]
[JsonSerializable(typeof(AnalysisRunRequest))]
[JsonSerializable(typeof(AnalysisRunResponse))]
[JsonSerializable(typeof(ObjectTable))]
[JsonSerializable(typeof(JsonArray))]
[JsonSerializable(typeof(JsonNode))]
internal sealed partial class ApiJsonContext : JsonSerializerContext;
