using System.Text.Json;

namespace Fledge.EndToEnd.Tests;

/// <summary>`get -o json|yaml` prints Kubernetes objects: tools written for Kubernetes read them, and `apply` takes them back.</summary>
public sealed class GetOutputTests(SharedRuntime shared) : IClassFixture<SharedRuntime>
{
    private RuntimeProcess Runtime => shared.Runtime;

    /// <summary>
    /// A replica's port is outside the kernel's ephemeral range: an outgoing connection (the proxy's own, pooled) can never take
    /// the port of a replica that waits to restart, which would then fail with "address already in use" at every restart.
    /// </summary>
    [Fact(Timeout = 120_000)]
    public async Task GetPods_EveryReplicaListensOutsideTheEphemeralPortRange()
    {
        await shared.HelloStillServesAsync();
        var range = File.ReadAllText("/proc/sys/net/ipv4/ip_local_port_range").Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries).Select(int.Parse).ToArray();
        var (code, json, error) = Runtime.Fledge("get", "pods", "-o", "json");
        code.ShouldBe(0, error);

        var ports = JsonDocument.Parse(json).RootElement.GetProperty("items").EnumerateArray()
            .Select(pod => int.Parse(pod.GetProperty("metadata").GetProperty("annotations").GetProperty("fledge.io/port").GetString()!, System.Globalization.CultureInfo.InvariantCulture))
            .ToList();
        ports.ShouldNotBeEmpty();
        ports.ShouldAllBe(port => port < range[0] || port > range[1], $"ephemeral range {range[0]}-{range[1]}");
    }

    [Fact(Timeout = 120_000)]
    public void GetRolloutYaml_AppliedBack_IsUnchanged()
    {
        var (code, yaml, error) = Runtime.Fledge("get", "rollout", "hello", "-o", "yaml");
        code.ShouldBe(0, error);
        yaml.ShouldStartWith("apiVersion: fledge.io/v1alpha1\nkind: Rollout\nmetadata:\n");
        yaml.ShouldMatch(@"\n  generation: [0-9]+\n");
        yaml.ShouldMatch(@"\n  uid: ""?[0-9a-f-]{36}""?\n");
        yaml.ShouldMatch(@"\n  resourceVersion: ""[0-9]+""\n");
        yaml.ShouldMatch(@"\n  creationTimestamp: ""20[0-9-]+T[0-9:]+Z""\n");
        yaml.ShouldContain("\nspec:\n  replicas: 2\n");
        yaml.ShouldMatch(@"\nstatus:\n  observedGeneration: [0-9]+\n");
        yaml.ShouldContain("reason: NewReplicaSetAvailable");

        var path = Path.Combine(Runtime.DataDirectory, $"roundtrip-{Guid.NewGuid():N}.yaml");
        File.WriteAllText(path, yaml);
        var applied = Runtime.Fledge("apply", "-f", path);
        applied.ExitCode.ShouldBe(0, applied.Error);
        applied.Output.Trim().ShouldBe("rollout/hello unchanged");
    }

    [Fact(Timeout = 120_000)]
    public void GetJson_SeveralObjects_IsAListWhoseReplicaSetsAndPodsNameTheirOwners()
    {
        var rollout = Json("get", "rollout", "hello", "-o", "json");
        var sets = Json("get", "replicasets", "-o", "json");
        var pods = Json("get", "pods", "-o", "json");

        sets.GetProperty("apiVersion").GetString().ShouldBe("v1");
        sets.GetProperty("kind").GetString().ShouldBe("List");
        var set = sets.GetProperty("items").EnumerateArray().Single(s => Owner(s).GetProperty("name").GetString() == "hello");
        set.GetProperty("kind").GetString().ShouldBe("ReplicaSet");
        Owner(set).GetProperty("uid").GetString().ShouldBe(rollout.GetProperty("metadata").GetProperty("uid").GetString());
        Owner(set).GetProperty("controller").GetBoolean().ShouldBeTrue();
        set.GetProperty("status").GetProperty("readyReplicas").GetInt32().ShouldBe(2);
        var hash = set.GetProperty("metadata").GetProperty("labels").GetProperty("pod-template-hash").GetString();
        set.GetProperty("spec").GetProperty("selector").GetProperty("matchLabels").GetProperty("pod-template-hash").GetString().ShouldBe(hash);

        var helloPods = pods.GetProperty("items").EnumerateArray().Where(p => Owner(p).GetProperty("name").GetString() == set.GetProperty("metadata").GetProperty("name").GetString()).ToList();
        helloPods.Count.ShouldBe(2);
        helloPods.ShouldAllBe(p => p.GetProperty("status").GetProperty("phase").GetString() == "Running"
            && p.GetProperty("status").GetProperty("containerStatuses")[0].GetProperty("ready").GetBoolean());
    }

    [Fact(Timeout = 120_000)]
    public void ResourceVersion_GrowsWhenTheObjectChanges()
    {
        var before = long.Parse(Json("get", "rollout", "hello", "-o", "json").GetProperty("metadata").GetProperty("resourceVersion").GetString()!, System.Globalization.CultureInfo.InvariantCulture);
        Runtime.Fledge("rollout", "pause", "hello").ExitCode.ShouldBe(0);
        try
        {
            var after = Json("get", "rollout", "hello", "-o", "json");
            long.Parse(after.GetProperty("metadata").GetProperty("resourceVersion").GetString()!, System.Globalization.CultureInfo.InvariantCulture).ShouldBeGreaterThan(before);
            after.GetProperty("spec").GetProperty("paused").GetBoolean().ShouldBeTrue();
            after.GetProperty("metadata").GetProperty("generation").GetInt64().ShouldBeGreaterThan(1, "pausing changed the spec");
        }
        finally
        {
            Runtime.Fledge("rollout", "resume", "hello").ExitCode.ShouldBe(0);
        }
    }

    [Fact(Timeout = 120_000)]
    public void GetEvents_ForARollout_ListsItsScalingAsKubectlDoes()
    {
        var (code, table, error) = Runtime.Fledge("get", "events", "--for", "rollout/hello");
        code.ShouldBe(0, error);
        table.ShouldStartWith("LAST SEEN");
        table.ShouldContain("ScalingReplicaSet");
        table.ShouldContain("rollout/hello");

        var events = Json("get", "events", "--for", "rollout/hello", "-o", "json").GetProperty("items");
        events.EnumerateArray().ShouldAllBe(e => e.GetProperty("involvedObject").GetProperty("name").GetString() == "hello");
        events.EnumerateArray().ShouldContain(e => e.GetProperty("reason").GetString() == "ScalingReplicaSet");
    }

    [Fact(Timeout = 120_000)]
    public void GetAnalysisTemplates_ListsAndPrintsThemBackAsApplied()
    {
        Runtime.Apply(SampleFiles.Read("canary/error-rate-template.yaml"));

        var (code, table, error) = Runtime.Fledge("get", "analysistemplates");
        code.ShouldBe(0, error);
        table.ShouldContain("error-rate");
        table.ShouldContain("fledge");
        var (_, yaml, _) = Runtime.Fledge("get", "at", "error-rate", "-o", "yaml");
        var path = Path.Combine(Runtime.DataDirectory, $"template-{Guid.NewGuid():N}.yaml");
        File.WriteAllText(path, yaml);
        Runtime.Fledge("apply", "-f", path).Output.Trim().ShouldBe("analysistemplate/error-rate unchanged");
    }

    [Theory]
    [InlineData("rollots", "did you mean \"rollouts\"?")]
    [InlineData("pdos", "did you mean \"pods\"?")]
    [InlineData("widgets", "use rollouts, canarydeployments, analysistemplates, replicasets, pods, services, events")]
    public void Get_UnknownKind_SuggestsTheNearestAndExitsInvalidInput(string kind, string expected)
    {
        var (code, output, error) = Runtime.Fledge("get", kind);

        code.ShouldBe(2);
        output.ShouldBeEmpty();
        error.ShouldContain($"the server doesn't have a resource type \"{kind}\"");
        error.ShouldContain(expected);
    }

    private JsonElement Json(params string[] args)
    {
        var (code, output, error) = Runtime.Fledge(args);
        code.ShouldBe(0, error);
        return JsonDocument.Parse(output).RootElement.Clone();
    }

    private static JsonElement Owner(JsonElement obj) => obj.GetProperty("metadata").GetProperty("ownerReferences")[0];
}
