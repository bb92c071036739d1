using System.Globalization;

namespace Fledge.Local.Api;

/// <summary>Ages as kubectl prints them: 45s, 12m, 3h, 2d.</summary>
public static class Age
{
    public static string Since(DateTimeOffset then, DateTimeOffset now)
    {
        var age = now - then;
        return age.TotalSeconds < 120 ? Math.Max(0, (int)age.TotalSeconds).ToString(CultureInfo.InvariantCulture) + "s"
            : age.TotalMinutes < 120 ? ((int)age.TotalMinutes).ToString(CultureInfo.InvariantCulture) + "m"
            : age.TotalHours < 48 ? ((int)age.TotalHours).ToString(CultureInfo.InvariantCulture) + "h"
            : ((int)age.TotalDays).ToString(CultureInfo.InvariantCulture) + "d";
    }
}
