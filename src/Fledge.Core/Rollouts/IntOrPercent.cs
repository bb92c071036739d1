using System.Globalization;

namespace Fledge.Core.Rollouts;

/// <summary>An absolute count or a percentage of the desired replicas, as maxSurge and maxUnavailable are written.</summary>
public readonly record struct IntOrPercent(int Value, bool IsPercent)
{
    public static IntOrPercent Count(int value) => new(value, false);

    public static IntOrPercent Percent(int value) => new(value, true);

    /// <summary>
    /// Parses "3" or "25%". Kubernetes accepts only "[0-9]+%" for strings; an int arrives here as digits
    /// because KubernetesClient's IntOrString keeps no type, so plain digits are read as a count.
    /// </summary>
    public static bool TryParse(string? text, out IntOrPercent value)
    {
        value = default;
        if (string.IsNullOrEmpty(text))
        {
            return false;
        }

        if (text.EndsWith('%'))
        {
            var digits = text.AsSpan(0, text.Length - 1);
            if (digits.Length == 0 || !IsDigits(digits) || !int.TryParse(digits, NumberStyles.None, CultureInfo.InvariantCulture, out var percent))
            {
                return false;
            }

            value = Percent(percent);
            return true;
        }

        if (int.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var count))
        {
            value = Count(count);
            return true;
        }

        return false;
    }

    /// <summary>
    /// The absolute value against <paramref name="total"/>. Percentages round up for surge and down for
    /// unavailable: 25% of 5 is 2 as a surge (ceil 1.25) and 1 as an unavailable count (floor 1.25).
    /// </summary>
    public int Scaled(int total, bool roundUp)
    {
        if (!IsPercent)
        {
            return Value;
        }

        var product = (long)Value * total;
        return (int)(roundUp ? (product + 99) / 100 : product / 100);
    }

    public override string ToString() =>
        IsPercent ? Value.ToString(CultureInfo.InvariantCulture) + "%" : Value.ToString(CultureInfo.InvariantCulture);

    private static bool IsDigits(ReadOnlySpan<char> text)
    {
        foreach (var c in text)
        {
            if (c is < '0' or > '9')
            {
                return false;
            }
        }

        return true;
    }
}
