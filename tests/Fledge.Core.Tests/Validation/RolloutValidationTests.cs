using Fledge.Core.Manifests;

namespace Fledge.Core.Tests.Validation;

public sealed class RolloutValidationTests
{
    private const string Valid = """
        apiVersion: fledge.io/v1alpha1
        kind: Rollout
        metadata:
          name: web
        spec:
          replicas: 3
          selector:
            matchLabels:
              app: web
          template:
            metadata:
              labels:
                app: web
            spec:
              containers:
              - name: web
                image: web:v1
        """;

    /// <summary>The error messages for a manifest, without the file:line:column prefix.</summary>
    private static List<string> Errors(string yaml)
    {
        var loaded = ManifestLoader.Load(yaml, "test.yaml");
        var errors = loaded.Errors.Select(e => e.Message).ToList();
        foreach (var obj in loaded.Objects.Where(RolloutReader.IsRollout))
        {
            errors.AddRange(RolloutReader.Read(obj).Errors.Select(e => e.Message));
        }

        // Messages start with the object ("Rollout \"web\": "); the field error follows.
        return errors.Select(e => e.StartsWith("Rollout \"", StringComparison.Ordinal) ? e[(e.IndexOf("\": ", StringComparison.Ordinal) + 3)..] : e).ToList();
    }

    private static string With(string replace, string by) => Valid.Replace(replace, by, StringComparison.Ordinal);

    [Fact]
    public void Read_ValidRollout_HasNoErrors() => Errors(Valid).ShouldBeEmpty();

    [Theory]
    [InlineData("  replicas: 3", "  replicas: -1", "spec.replicas: Invalid value: -1: must be greater than or equal to 0")]
    [InlineData("  replicas: 3", "  replicas: 3\n  revisionHistoryLimit: -2", "spec.revisionHistoryLimit: Invalid value: -2: must be greater than or equal to 0")]
    [InlineData("  replicas: 3", "  replicas: 3\n  minReadySeconds: 30\n  progressDeadlineSeconds: 30",
        "spec.progressDeadlineSeconds: Invalid value: 30: must be greater than minReadySeconds (30)")]
    [InlineData("  replicas: 3", "  replicas: 3\n  strategy:\n    type: BlueGreen", "spec.strategy.type: Unsupported value: \"BlueGreen\": supported values: \"Recreate\", \"RollingUpdate\"")]
    [InlineData("  replicas: 3", "  replicas: 3\n  strategy:\n    type: Recreate\n    rollingUpdate:\n      maxSurge: 1",
        "spec.strategy.rollingUpdate: Forbidden: may not be specified when strategy `type` is 'Recreate'")]
    [InlineData("  replicas: 3", "  replicas: 3\n  strategy:\n    rollingUpdate:\n      maxSurge: 0\n      maxUnavailable: 0",
        "spec.strategy.rollingUpdate.maxUnavailable: Invalid value: 0: may not be 0 when maxSurge is 0; allow at least one extra (maxSurge) or one unavailable replica")]
    [InlineData("  replicas: 3", "  replicas: 3\n  strategy:\n    rollingUpdate:\n      maxSurge: 0%\n      maxUnavailable: 0%",
        "spec.strategy.rollingUpdate.maxUnavailable: Invalid value: \"0%\": may not be 0 when maxSurge is 0; allow at least one extra (maxSurge) or one unavailable replica")]
    [InlineData("  replicas: 3", "  replicas: 3\n  strategy:\n    rollingUpdate:\n      maxUnavailable: 110%",
        "spec.strategy.rollingUpdate.maxUnavailable: Invalid value: \"110%\": must not be greater than 100%")]
    [InlineData("  replicas: 3", "  replicas: 3\n  strategy:\n    rollingUpdate:\n      maxSurge: -1",
        "spec.strategy.rollingUpdate.maxSurge: Invalid value: -1: must be greater than or equal to 0")]
    [InlineData("  replicas: 3", "  replicas: 3\n  strategy:\n    rollingUpdate:\n      maxSurge: 25 percent",
        "spec.strategy.rollingUpdate.maxSurge: Invalid value: \"25 percent\": a valid percent string must be a numeric string followed by an ending '%' (e.g. '1%',  or '93%', regex used for validation is '[0-9]+%')")]
    [InlineData("  name: web\nspec:", "  name: Web_App\nspec:", "metadata.name: Invalid value: \"Web_App\": a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')")]
    [InlineData("      - name: web\n", "      - name: Web\n", "spec.template.spec.containers[0].name: Invalid value: \"Web\": a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')")]
    [InlineData("        image: web:v1", "        image: web:v1\n      - name: web\n        image: web:v2", "spec.template.spec.containers[1].name: Duplicate value: \"web\"")]
    [InlineData("      containers:\n      - name: web\n        image: web:v1", "      containers: []", "spec.template.spec.containers: Required value: a pod template needs at least one container")]
    [InlineData("      app: web\n  template", "      app: api\n  template", "spec.template.metadata.labels: Invalid value: {\"app\": \"web\"}: `selector` does not match template `labels`; give the template every label the selector asks for")]
    [InlineData("  selector:\n    matchLabels:\n      app: web\n", "", "spec.selector: Required value: set spec.selector.matchLabels to the labels of spec.template.metadata.labels")]
    [InlineData("    matchLabels:\n      app: web\n", "    matchLabels: {}\n", "spec.selector: Invalid value: \"{}\": empty selector is invalid for deployment")]
    public void Read_InvalidField_ReportsKubernetesStyleError(string replace, string by, string expected)
    {
        var yaml = With(replace, by);
        yaml.ShouldNotBe(Valid);
        Errors(yaml).ShouldBe([expected]);
    }

    [Fact]
    public void Read_SeveralProblems_ReportsAllAtOnce()
    {
        var yaml = With("  replicas: 3", "  replicas: -1\n  revisionHistoryLimit: -1\n  strategy:\n    type: Sideways").Replace("name: web\n    spec", "name: web\n    spec", StringComparison.Ordinal);

        Errors(yaml).Count.ShouldBe(3);
    }

    [Fact]
    public void Load_ErrorLocation_PointsAtTheField()
    {
        var loaded = ManifestLoader.Load(With("  replicas: 3", "  replicas: -1"), "web.yaml");
        var (_, errors) = RolloutReader.Read(loaded.Objects.Single());

        var error = errors.ShouldHaveSingleItem();
        error.Line.ShouldBe(6);
        error.Column.ShouldBe(13);
        error.ToString().ShouldBe("web.yaml:6:13: Rollout \"web\": spec.replicas: Invalid value: -1: must be greater than or equal to 0");
    }

    [Fact]
    public void Load_UnknownField_SuggestsTheClosestName()
    {
        var errors = Errors(With("  replicas: 3", "  replicas: 3\n  strategy:\n    rollingUpdate:\n      maxSurg: 1"));

        errors.ShouldBe(["spec.strategy.rollingUpdate.maxSurg: unknown field \"maxSurg\": did you mean \"maxSurge\"?"]);
    }

    [Fact]
    public void Load_UnknownFieldsAndInvalidValues_AreAllReportedTogether()
    {
        var errors = Errors(With("  replicas: 3", "  replicas: -3\n  minReadySecond: 5\n  strategy:\n    rollingUpdate:\n      maxSurg: 1")
            .Replace("        image: web:v1", "        image: web:v1\n        imag: typo", StringComparison.Ordinal));

        errors.ShouldBe(
        [
            "spec.minReadySecond: unknown field \"minReadySecond\": did you mean \"minReadySeconds\"?",
            "spec.strategy.rollingUpdate.maxSurg: unknown field \"maxSurg\": did you mean \"maxSurge\"?",
            "spec.template.spec.containers[0].imag: unknown field \"imag\": did you mean \"image\"?",
            "spec.replicas: Invalid value: -3: must be greater than or equal to 0",
        ]);
    }

    [Fact]
    public void Load_WrongType_NamesFieldAndValue()
    {
        var loaded = ManifestLoader.Load(With("  replicas: 3", "  replicas: three"), "web.yaml");

        var error = loaded.Errors.ShouldHaveSingleItem();
        error.Line.ShouldBe(6);
        error.Message.ShouldStartWith("Rollout \"web\": spec.replicas: Invalid value: \"three\":");
    }

    [Fact]
    public void Load_YamlSyntaxError_ReportsLineAndColumn()
    {
        var loaded = ManifestLoader.Load("apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: [web\n", "bad.yaml");

        var error = loaded.Errors.ShouldHaveSingleItem();
        error.Line.ShouldNotBeNull();
        error.Line.Value.ShouldBeGreaterThanOrEqualTo(4);
        error.Message.ShouldStartWith("invalid YAML:");
    }

    [Fact]
    public void Load_UnknownKind_SaysWhichKindsAreAccepted()
    {
        var loaded = ManifestLoader.Load("apiVersion: apps/v1\nkind: StatefulSet\nmetadata:\n  name: db\n", "db.yaml");

        loaded.Errors.ShouldHaveSingleItem().ToString().ShouldBe(
            "db.yaml:1:1: kind: Unsupported value: \"apps/v1, Kind=StatefulSet\": supported values: \"fledge.io/v1alpha1, Kind=Rollout\", \"fledge.io/v1alpha1, Kind=AnalysisTemplate\", \"argoproj.io/v1alpha1, Kind=Rollout\", \"argoproj.io/v1alpha1, Kind=AnalysisTemplate\", \"argoproj.io/v1alpha1, Kind=ClusterAnalysisTemplate\", \"argoproj.io/v1alpha1, Kind=AnalysisRun\", \"apps/v1, Kind=Deployment\", \"kanarini.nilebox.github.com/v1alpha1, Kind=CanaryDeployment\", \"apps/v1, Kind=ReplicaSet\", \"v1, Kind=Service\", \"v1, Kind=List\"");
    }

    [Fact]
    public void Load_MissingKind_IsRequired()
    {
        var loaded = ManifestLoader.Load("apiVersion: apps/v1\nmetadata:\n  name: db\n", "db.yaml");

        loaded.Errors.ShouldHaveSingleItem().Message.ShouldStartWith("kind: Required value");
    }
}
