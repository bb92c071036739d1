using System.Text.RegularExpressions;
using k8s.Models;

namespace Fledge.Core.Validation;

/// <summary>
/// Kubernetes' checks (apimachinery and ValidatePodTemplateSpec) for the parts of an object the runtime uses:
/// labels and annotations, the grace period, containers' ports and environment, probes and preStop hooks.
/// Whatever Kubernetes' API server refuses is refused here, with its words.
/// </summary>
public static partial class PodTemplateValidator
{
    /// <summary>Kubernetes' limit on all of an object's annotations together.</summary>
    public const int MaxAnnotationBytes = 256 * 1024;

    public static void ValidateMetadata(V1ObjectMeta? metadata, string field, List<FieldError> errors)
    {
        foreach (var (key, value) in metadata?.Labels ?? new Dictionary<string, string>())
        {
            CheckQualifiedName(key, $"{field}.labels", errors);
            if (CheckLabelValue(value) is { } problem)
            {
                errors.Add(FieldError.Invalid($"{field}.labels", value, problem));
            }
        }

        var annotations = metadata?.Annotations ?? new Dictionary<string, string>();
        foreach (var key in annotations.Keys)
        {
            CheckQualifiedName(key.ToLowerInvariant(), $"{field}.annotations", errors);
        }

        var bytes = annotations.Sum(a => (long)System.Text.Encoding.UTF8.GetByteCount(a.Key) + System.Text.Encoding.UTF8.GetByteCount(a.Value ?? ""));
        if (bytes > MaxAnnotationBytes)
        {
            errors.Add(FieldError.TooLong($"{field}.annotations", $"must have at most {MaxAnnotationBytes} bytes"));
        }
    }

    /// <summary>A pod template's metadata and spec, under <paramref name="field"/> (spec.template).</summary>
    public static void Validate(V1PodTemplateSpec? template, string field, List<FieldError> errors)
    {
        ValidateMetadata(template?.Metadata, $"{field}.metadata", errors);
        var spec = template?.Spec;
        if (spec is null)
        {
            return;
        }

        if (spec.TerminationGracePeriodSeconds is < 0)
        {
            errors.Add(FieldError.Invalid($"{field}.spec.terminationGracePeriodSeconds", spec.TerminationGracePeriodSeconds.Value, "must be greater than or equal to 0"));
        }

        var containers = spec.Containers ?? [];
        for (var i = 0; i < containers.Count; i++)
        {
            ValidateContainer(containers[i], $"{field}.spec.containers[{i}]", errors);
        }
    }

    private static void ValidateContainer(V1Container container, string field, List<FieldError> errors)
    {
        var portNames = new HashSet<string>(StringComparer.Ordinal);
        var ports = container.Ports ?? [];
        for (var j = 0; j < ports.Count; j++)
        {
            var port = ports[j];
            if (port.ContainerPort is < 1 or > 65535)
            {
                errors.Add(FieldError.Invalid($"{field}.ports[{j}].containerPort", port.ContainerPort, "must be between 1 and 65535, inclusive"));
            }

            if (port.Name is { Length: > 0 } name)
            {
                if (CheckPortName(name) is { } problem)
                {
                    errors.Add(FieldError.Invalid($"{field}.ports[{j}].name", name, problem));
                }
                else if (!portNames.Add(name))
                {
                    errors.Add(FieldError.Duplicate($"{field}.ports[{j}].name", name));
                }
            }

            if (port.Protocol is { } protocol && protocol is not ("TCP" or "UDP" or "SCTP"))
            {
                errors.Add(FieldError.NotSupported($"{field}.ports[{j}].protocol", protocol, "SCTP", "TCP", "UDP"));
            }
        }

        var env = container.Env ?? [];
        for (var j = 0; j < env.Count; j++)
        {
            if (string.IsNullOrEmpty(env[j].Name))
            {
                errors.Add(FieldError.Required($"{field}.env[{j}].name"));
            }
            else if (!EnvName().IsMatch(env[j].Name))
            {
                errors.Add(FieldError.Invalid($"{field}.env[{j}].name", env[j].Name,
                    "a valid environment variable name must consist of alphabetic characters, digits, '_', '-', or '.', and must not start with a digit " +
                    "(e.g. 'my.env-name',  or 'MY_ENV.NAME',  or 'MyEnvName1', regex used for validation is '[-._a-zA-Z][-._a-zA-Z0-9]*')"));
            }
        }

        ValidateProbe(container.ReadinessProbe, $"{field}.readinessProbe", anySuccessThreshold: true, errors);
        ValidateProbe(container.LivenessProbe, $"{field}.livenessProbe", anySuccessThreshold: false, errors);
        ValidateProbe(container.StartupProbe, $"{field}.startupProbe", anySuccessThreshold: false, errors);
        if (container.Lifecycle?.PreStop is { } preStop)
        {
            var handlers = new object?[] { preStop.Exec, preStop.HttpGet, preStop.TcpSocket, preStop.Sleep }.Count(h => h is not null);
            ValidateHandlerCount(handlers, $"{field}.lifecycle.preStop", errors);
            ValidateHandler(preStop.HttpGet, preStop.TcpSocket, preStop.Exec, $"{field}.lifecycle.preStop", errors);
            if (preStop.Sleep is { Seconds: < 0 } sleep)
            {
                errors.Add(FieldError.Invalid($"{field}.lifecycle.preStop.sleep.seconds", sleep.Seconds, "must be greater than or equal to 0"));
            }
        }
    }

    private static void ValidateProbe(V1Probe? probe, string field, bool anySuccessThreshold, List<FieldError> errors)
    {
        if (probe is null)
        {
            return;
        }

        ValidateHandlerCount(new object?[] { probe.Exec, probe.HttpGet, probe.TcpSocket, probe.Grpc }.Count(h => h is not null), field, errors);
        ValidateHandler(probe.HttpGet, probe.TcpSocket, probe.Exec, field, errors);
        foreach (var (name, value) in new[]
        {
            ("initialDelaySeconds", probe.InitialDelaySeconds), ("timeoutSeconds", probe.TimeoutSeconds), ("periodSeconds", probe.PeriodSeconds),
            ("successThreshold", probe.SuccessThreshold), ("failureThreshold", probe.FailureThreshold),
        })
        {
            if (value is < 0)
            {
                errors.Add(FieldError.Invalid($"{field}.{name}", value.Value, "must be greater than or equal to 0"));
            }
        }

        if (!anySuccessThreshold && probe.SuccessThreshold is { } threshold and not 1 and >= 0)
        {
            errors.Add(FieldError.Invalid($"{field}.successThreshold", threshold, "must be 1"));
        }

        if (probe.TerminationGracePeriodSeconds is < 1)
        {
            errors.Add(FieldError.Invalid($"{field}.terminationGracePeriodSeconds", probe.TerminationGracePeriodSeconds.Value, "must be greater than 0"));
        }
    }

    private static void ValidateHandlerCount(int handlers, string field, List<FieldError> errors)
    {
        if (handlers == 0)
        {
            errors.Add(FieldError.Required(field, "must specify a handler type"));
        }
        else if (handlers > 1)
        {
            errors.Add(FieldError.Forbidden(field, "may not specify more than 1 handler type"));
        }
    }

    private static void ValidateHandler(V1HTTPGetAction? httpGet, V1TCPSocketAction? tcpSocket, V1ExecAction? exec, string field, List<FieldError> errors)
    {
        if (httpGet is not null)
        {
            CheckPort(httpGet.Port, $"{field}.httpGet.port", errors);
            if (httpGet.Scheme is { } scheme && scheme is not ("HTTP" or "HTTPS"))
            {
                errors.Add(FieldError.NotSupported($"{field}.httpGet.scheme", scheme, "HTTP", "HTTPS"));
            }
        }

        if (tcpSocket is not null)
        {
            CheckPort(tcpSocket.Port, $"{field}.tcpSocket.port", errors);
        }

        if (exec is not null && (exec.Command is null || exec.Command.Count == 0))
        {
            errors.Add(FieldError.Required($"{field}.exec.command"));
        }
    }

    /// <summary>A port number 1-65535, or a port name (IANA_SVC_NAME).</summary>
    private static void CheckPort(IntOrString? port, string field, List<FieldError> errors)
    {
        var text = port?.Value;
        if (string.IsNullOrEmpty(text))
        {
            errors.Add(FieldError.Required(field));
        }
        else if (int.TryParse(text, out var number))
        {
            if (number is < 1 or > 65535)
            {
                errors.Add(FieldError.Invalid(field, number, "must be between 1 and 65535, inclusive"));
            }
        }
        else if (CheckPortName(text) is { } problem)
        {
            errors.Add(FieldError.Invalid(field, text, problem));
        }
    }

    private static string? CheckPortName(string name) =>
        name.Length > 15 ? "must be no more than 15 characters"
        : !PortName().IsMatch(name) ? "must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)"
        : name.Contains("--", StringComparison.Ordinal) ? "must not contain consecutive hyphens"
        : !name.Any(char.IsAsciiLetter) ? "must contain at least one letter (a-z)"
        : name.StartsWith('-') || name.EndsWith('-') ? "must not begin or end with a hyphen"
        : null;

    /// <summary>A label or annotation key: an optional DNS-subdomain prefix and a slash, then a name of at most 63 characters.</summary>
    private static void CheckQualifiedName(string key, string field, List<FieldError> errors)
    {
        var slash = key.LastIndexOf('/');
        var (prefix, name) = slash < 0 ? (null, key) : (key[..slash], key[(slash + 1)..]);
        if (prefix is not null && Names.CheckSubdomain(prefix) is { } prefixProblem)
        {
            errors.Add(FieldError.Invalid(field, key, $"prefix part {prefixProblem}"));
        }

        if (name.Length == 0)
        {
            errors.Add(FieldError.Invalid(field, key, "name part must be non-empty"));
        }
        else if (name.Length > 63)
        {
            errors.Add(FieldError.Invalid(field, key, "name part must be no more than 63 characters"));
        }
        else if (!QualifiedNamePart().IsMatch(name))
        {
            errors.Add(FieldError.Invalid(field, key,
                "name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character " +
                "(e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')"));
        }
    }

    private static string? CheckLabelValue(string? value) =>
        value is null or "" ? null
        : value.Length > 63 ? "must be no more than 63 characters"
        : QualifiedNamePart().IsMatch(value) ? null
        : "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character " +
            "(e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')";

    [GeneratedRegex("^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$")]
    private static partial Regex QualifiedNamePart();

    [GeneratedRegex("^[-._a-zA-Z][-._a-zA-Z0-9]*$")]
    private static partial Regex EnvName();

    [GeneratedRegex("^[a-z0-9-]+$")]
    private static partial Regex PortName();
}
