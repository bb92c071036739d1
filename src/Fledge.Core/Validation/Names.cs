using System.Text.RegularExpressions;

namespace Fledge.Core.Validation;

/// <summary>DNS-1123 name checks with Kubernetes' messages.</summary>
public static partial class Names
{
    public const string LabelMessage =
        "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')";

    public const string SubdomainMessage =
        "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')";

    /// <summary>Null when valid, otherwise why not.</summary>
    public static string? CheckLabel(string value) =>
        value.Length > 63 ? "must be no more than 63 characters" : LabelPattern().IsMatch(value) ? null : LabelMessage;

    /// <summary>Null when valid, otherwise why not.</summary>
    public static string? CheckSubdomain(string value) =>
        value.Length > 253 ? "must be no more than 253 characters" : SubdomainPattern().IsMatch(value) ? null : SubdomainMessage;

    [GeneratedRegex("^[a-z0-9]([-a-z0-9]*[a-z0-9])?$")]
    private static partial Regex LabelPattern();

    [GeneratedRegex("^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$")]
    private static partial Regex SubdomainPattern();
}
