using System.Globalization;

namespace Fledge.Core.Validation;

/// <summary>The kinds of field error Kubernetes reports, with its wording.</summary>
public enum FieldErrorType
{
    Invalid,
    Required,
    NotSupported,
    Duplicate,
    Forbidden,
    TooLong,
}

/// <summary>
/// A field error in Kubernetes' format, for example
/// <c>spec.strategy.rollingUpdate.maxUnavailable: Invalid value: 0: may not be 0 when maxSurge is 0</c>.
/// </summary>
public sealed record FieldError(string Field, FieldErrorType Type, object? Value, string Detail)
{
    public static FieldError Invalid(string field, object? value, string detail) => new(field, FieldErrorType.Invalid, value, detail);

    public static FieldError Required(string field, string detail = "") => new(field, FieldErrorType.Required, null, detail);

    public static FieldError NotSupported(string field, object? value, params string[] supported) =>
        new(field, FieldErrorType.NotSupported, value, string.Join(", ", supported.Select(s => $"\"{s}\"")));

    public static FieldError Duplicate(string field, object? value) => new(field, FieldErrorType.Duplicate, value, "");

    public static FieldError Forbidden(string field, string detail) => new(field, FieldErrorType.Forbidden, null, detail);

    public static FieldError TooLong(string field, string detail) => new(field, FieldErrorType.TooLong, null, detail);

    public override string ToString() => Type switch
    {
        FieldErrorType.Invalid => $"{Field}: Invalid value: {Format(Value)}: {Detail}",
        FieldErrorType.Required => Detail.Length == 0 ? $"{Field}: Required value" : $"{Field}: Required value: {Detail}",
        FieldErrorType.NotSupported => $"{Field}: Unsupported value: {Format(Value)}: supported values: {Detail}",
        FieldErrorType.Duplicate => $"{Field}: Duplicate value: {Format(Value)}",
        FieldErrorType.TooLong => $"{Field}: Too long: {Detail}",
        _ => $"{Field}: Forbidden: {Detail}",
    };

    private static string Format(object? value) => value switch
    {
        null => "null",
        string text => $"\"{text}\"",
        bool flag => flag ? "true" : "false",
        IFormattable number => number.ToString(null, CultureInfo.InvariantCulture),
        IDictionary<string, string> map => "{" + string.Join(", ", map.Select(p => $"\"{p.Key}\": \"{p.Value}\"")) + "}",
        _ => value.ToString() ?? "",
    };
}
