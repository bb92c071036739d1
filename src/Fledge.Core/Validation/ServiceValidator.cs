using k8s.Models;

namespace Fledge.Core.Validation;

/// <summary>Validates a v1 Service with Kubernetes' checks for the fields Fledge uses.</summary>
public static class ServiceValidator
{
    public static IReadOnlyList<FieldError> Validate(V1Service service)
    {
        var errors = new List<FieldError>();
        var name = service.Metadata?.Name;
        if (string.IsNullOrEmpty(name))
        {
            errors.Add(FieldError.Required("metadata.name", "name or generateName is required"));
        }
        else if (Names.CheckLabel(name) is { } problem || !char.IsAsciiLetterLower(name[0]))
        {
            errors.Add(FieldError.Invalid("metadata.name", name,
                "a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character (e.g. 'my-name',  or 'abc-123', regex used for validation is '[a-z]([-a-z0-9]*[a-z0-9])?')"));
        }

        PodTemplateValidator.ValidateMetadata(service.Metadata, "metadata", errors);
        foreach (var (key, value) in service.Spec?.Selector ?? new Dictionary<string, string>())
        {
            PodTemplateValidator.ValidateMetadata(new V1ObjectMeta { Labels = new Dictionary<string, string> { [key] = value } }, "spec.selector", errors);
        }

        var ports = service.Spec?.Ports ?? [];
        if (ports.Count == 0)
        {
            errors.Add(FieldError.Required("spec.ports", "a Service needs at least one port"));
        }

        var seen = new HashSet<int>();
        for (var i = 0; i < ports.Count; i++)
        {
            var port = ports[i].Port;
            if (port is < 1 or > 65535)
            {
                errors.Add(FieldError.Invalid($"spec.ports[{i}].port", port, "must be between 1 and 65535, inclusive"));
            }
            else if (!seen.Add(port))
            {
                errors.Add(FieldError.Duplicate($"spec.ports[{i}].port", port));
            }
        }

        return errors;
    }
}
