using System.Text.Json;

namespace ConnectPlus.Web.Sandbox;

/// <summary>Validation shared by the APIs: case-sensitive enumerations, identifiers, dates, points.</summary>
internal static class SandboxRules
{
    public static readonly string[] Sources =
        ["INSTORE", "WECHAT", "MARTJACK", "WEB_ENGAGE", "ECOMMERCE", "JD", "TAOBAO", "TMALL", "FACEBOOK", "WEBSITE", "LINE", "MOBILE_APP", "OTHERS"];

    /// <summary>Checks a required enumeration exactly (Capillary refuses <c>Instore</c> for <c>INSTORE</c>).</summary>
    public static SandboxCode? Enum(string field, string? value, IReadOnlyCollection<string> allowed, bool required = true)
    {
        if (value is null)
            return required ? SandboxCodes.InvalidEnumValue.With($"{field} is required: {string.Join(", ", allowed)}") : null;
        return allowed.Contains(value, StringComparer.Ordinal)
            ? null
            : SandboxCodes.InvalidEnumValue.With($"{field} '{value}' is not one of {string.Join(", ", allowed)} (case-sensitive)");
    }

    /// <summary>The first problem with the identifiers' formats, or null.</summary>
    public static SandboxCode? Identifiers(SandboxIdentifiers ids)
    {
        ArgumentNullException.ThrowIfNull(ids);
        if (ids.Mobile is { } mobile && !IsMobile(mobile)) return SandboxCodes.InvalidMobile.With($"'{mobile}' (8 to 15 digits, country code first)");
        if (ids.Email is { } email && !IsEmail(email)) return SandboxCodes.InvalidEmail.With($"'{email}'");
        return null;
    }

    public static bool IsMobile(string value)
    {
        var digits = value.StartsWith('+') ? value[1..] : value;
        return digits.Length is >= 8 and <= 15 && digits.All(char.IsAsciiDigit);
    }

    public static bool IsEmail(string value)
    {
        var at = value.IndexOf('@', StringComparison.Ordinal);
        return at > 0 && at == value.LastIndexOf('@') && value.IndexOf('.', at) > at + 1 && !value.EndsWith('.') && !value.Any(char.IsWhiteSpace);
    }

    /// <summary>v1.1 customer fields (mobile, email, external_id), blanks as absent.</summary>
    public static SandboxIdentifiers V11Identifiers(JsonElement? customer) => customer is { } c
        ? new SandboxIdentifiers(c.NonBlank("mobile"), c.NonBlank("email"), c.NonBlank("external_id"))
        : new SandboxIdentifiers();

    /// <summary>621 when a billing date is unreadable or too far in the future; null when fine or absent.</summary>
    public static SandboxCode? BillingDate(string? text, bool v11, SandboxServices services, out DateTimeOffset? date)
    {
        ArgumentNullException.ThrowIfNull(services);
        date = null;
        if (text is null) return null;
        var formats = v11 ? "YYYY-MM-DD, YYYY-MM-DD HH:MM:SS" : "YYYY-MM-DD";
        if (!(v11 ? SandboxJson.TryV11Date(text, out var parsed) : SandboxJson.TryV2Date(text, out parsed)))
            return SandboxCodes.InvalidBillingDate.With($"'{text}' is not a date ({formats} or YYYY-MM-DDTHH:MM:SS+HH:MM)");
        var tolerance = TimeSpan.FromHours(services.Options.BillingDateFutureToleranceHours);
        if (parsed > services.Time.GetUtcNow() + tolerance)
            return SandboxCodes.InvalidBillingDate.With($"'{text}' is in the future");
        date = parsed;
        return null;
    }

    /// <summary>The documented points rule: floor(amount / CurrencyUnitsPerPoint) for a loyalty sale, else nothing.</summary>
    public static long Points(bool earns, decimal amount, SandboxServices services)
    {
        ArgumentNullException.ThrowIfNull(services);
        return earns ? (long)Math.Floor(amount / services.Options.CurrencyUnitsPerPoint) : 0;
    }

    /// <summary>A number field: a code when present and not a number or negative, else null (value 0 when absent).</summary>
    public static SandboxCode? NonNegative(JsonElement item, string field, SandboxCode negative, out decimal value)
    {
        switch (item.TryNumber(field, out value))
        {
            case SandboxJson.Number.Invalid:
                return SandboxCodes.InvalidBillAmount.With($"{field} '{item.Text(field)}' is not a number");
            case SandboxJson.Number.Valid when value < 0:
                return negative.With($"{field} {value}");
            default:
                return null;
        }
    }
}
