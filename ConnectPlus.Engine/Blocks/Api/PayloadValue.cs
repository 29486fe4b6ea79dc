using System.Buffers.Text;
using System.Globalization;
using System.Text;
using System.Text.Json;

namespace ConnectPlus.Engine.Blocks.Api;

/// <summary>How a converted value is written.</summary>
internal enum PayloadValueKind : byte
{
    /// <summary>No value: the field is left out.</summary>
    Missing,
    /// <summary>A JSON string.</summary>
    Text,
    /// <summary>A JSON number.</summary>
    Number,
    /// <summary>JSON true or false.</summary>
    Boolean,
    /// <summary>No value: the input cannot be converted to the field's type; the text is the reason.</summary>
    Invalid,
    /// <summary>No value: the field's formula failed; the text is the reason.</summary>
    FormulaFailed,
}

/// <summary>
/// A value converted for its field, ready to write. A number is kept as its JSON text: its input text when
/// that is already a plain JSON number (written as it is, without parsing and formatting it again), else the
/// decimal formatted as <see cref="Utf8JsonWriter.WriteNumberValue(decimal)"/> formats it. A boolean's text is
/// true or false. A v2 date-time (<see cref="PayloadTemplates.V2DateTimeFormat"/>) is kept as its wall-clock second
/// and offset, and formatted only when written (straight into the JSON) or when <see cref="Text"/> is asked.
/// </summary>
internal readonly struct PayloadValue
{
    private readonly string? _text;
    // A v2 date-time not formatted yet (0: none): see PayloadDates.PackV2.
    private readonly long _v2Date;

    public PayloadValue(PayloadValueKind kind, string? text)
    {
        Kind = kind;
        _text = text;
    }

    private PayloadValue(long v2Date)
    {
        Kind = PayloadValueKind.Text;
        _v2Date = v2Date;
    }

    public PayloadValueKind Kind { get; }

    /// <summary>The value's text (a number's or a boolean's in JSON form; a failure's reason). A v2 date-time is formatted on each call.</summary>
    public string? Text => _text ?? (_v2Date != 0 ? PayloadDates.FormatV2(_v2Date) : null);

    /// <summary>The value is a v2 date-time not formatted yet (<see cref="V2Date"/>; <see cref="Kind"/> is text).</summary>
    public bool IsV2Date => _v2Date != 0;

    /// <summary>The packed v2 date-time (see <see cref="PayloadDates.PackV2"/>); 0 when the value is not one.</summary>
    public long V2Date => _v2Date;

    /// <summary>A v2 date-time packed by <see cref="PayloadDates.PackV2"/>, formatted when it is written.</summary>
    public static PayloadValue OfV2Date(long packed) => new(packed);

    public static PayloadValue Missing => default;

    public static PayloadValue True { get; } = new(PayloadValueKind.Boolean, "true");

    public static PayloadValue False { get; } = new(PayloadValueKind.Boolean, "false");

    /// <summary>A value to write (text, number or boolean).</summary>
    public bool HasValue => (uint)(Kind - PayloadValueKind.Text) <= PayloadValueKind.Boolean - PayloadValueKind.Text;

    /// <summary>The conversion or the formula failed: <see cref="Text"/> says why.</summary>
    public bool IsFailure => Kind >= PayloadValueKind.Invalid;

    /// <summary>A failed conversion, with its reason.</summary>
    public static PayloadValue Failure(string message) => new(PayloadValueKind.Invalid, message);

    public static PayloadValue OfText(string text) => new(PayloadValueKind.Text, text);

    /// <summary>A number whose text is already JSON (e.g. "250.50", "-3").</summary>
    public static PayloadValue OfNumberText(string json) => new(PayloadValueKind.Number, json);

    /// <summary>A decimal, as JSON writes it.</summary>
    public static PayloadValue OfNumber(decimal number)
    {
        Span<byte> text = stackalloc byte[64];
        if (!Utf8Formatter.TryFormat(number, text, out var written)) throw new InvalidOperationException($"The number {number} does not fit its buffer.");
        return OfNumberText(Encoding.ASCII.GetString(text[..written]));
    }

    public static PayloadValue OfBoolean(bool flag) => flag ? True : False;

    public void Write(PayloadJsonWriter json, JsonEncodedText name)
    {
        json.WritePropertyName(name);
        WriteValue(json, name.Value);
    }

    public void Write(PayloadJsonWriter json, string name)
    {
        json.WritePropertyName(name);
        WriteValue(json, name);
    }

    public void WriteIfPresent(PayloadJsonWriter json, string name)
    {
        if (HasValue) Write(json, name);
    }

    private void WriteValue(PayloadJsonWriter json, string name)
    {
        switch (Kind)
        {
            case PayloadValueKind.Text when _v2Date != 0: json.WriteV2DateValue(_v2Date); break;
            case PayloadValueKind.Text: json.WriteStringValue(Text); break;
            case PayloadValueKind.Number or PayloadValueKind.Boolean: json.WriteRawValue(Text!); break;
            default: throw new InvalidOperationException($"A missing value is not written ('{name}').");
        }
    }

    /// <summary>The value as it compares for distinct elements (payment modes).</summary>
    public string Identity => Text ?? "";
}

/// <summary>
/// Converts input text to a field's type: invariant numbers, whole numbers, booleans, dates
/// reformatted for the endpoint, case-sensitive allowed values. Gives the reason when it cannot.
/// </summary>
internal sealed class PayloadValueConverter(PayloadDates dates)
{
    private static readonly CultureInfo Invariant = CultureInfo.InvariantCulture;

    public PayloadDates Dates { get; } = dates;

    /// <summary>
    /// Converts a value. Blank text gives <see cref="PayloadValue.Missing"/> except for a text field
    /// when <paramref name="keepEmptyText"/> (a constant: written as given). On failure the message
    /// names the field, the value and <paramref name="origin"/> (e.g. "from column 'bill_date'").
    /// </summary>
    public bool TryConvert(PayloadField field, string? raw, bool keepEmptyText, string origin, out PayloadValue value, out string? message)
    {
        value = Convert(field, raw, keepEmptyText, origin);
        message = value.IsFailure ? value.Text : null;
        if (value.IsFailure) value = PayloadValue.Missing;
        return message is null;
    }

    /// <summary>
    /// <see cref="TryConvert"/> for the hot path: the result comes back as the value (an
    /// <see cref="PayloadValueKind.Invalid"/> one with the message on failure), with no out parameters to write through.
    /// </summary>
    public PayloadValue Convert(PayloadField field, string? raw, bool keepEmptyText, string origin)
    {
        if (raw is null) return PayloadValue.Missing;
        // Most values start with a visible character: only the others can be blank.
        if (raw.Length == 0 || (char.IsWhiteSpace(raw[0]) && string.IsNullOrWhiteSpace(raw)))
            return field.Type == PayloadFieldType.Text && keepEmptyText ? PayloadValue.OfText(raw) : PayloadValue.Missing;
        switch (field.Type)
        {
            case PayloadFieldType.Text:
                return PayloadValue.OfText(raw);
            case PayloadFieldType.Number or PayloadFieldType.WholeNumber when IsPlainNumber(raw, whole: field.Type == PayloadFieldType.WholeNumber):
                // Already what the decimal would be written as: no parsing and formatting again.
                return field.WriteAsText ? PayloadValue.OfText(raw) : PayloadValue.OfNumberText(raw);
            case PayloadFieldType.Number when decimal.TryParse(raw, NumberStyles.Float, Invariant, out var number):
                return Number(field, number);
            case PayloadFieldType.Number:
                return PayloadValue.Failure($"Field '{field.Path}' must be a number; got '{raw}' {origin} (write digits with '.' for decimals and no thousands separators).");
            case PayloadFieldType.WholeNumber when decimal.TryParse(raw, NumberStyles.Float, Invariant, out var whole) && whole == decimal.Truncate(whole):
                return Number(field, decimal.Truncate(whole));
            case PayloadFieldType.WholeNumber:
                return PayloadValue.Failure($"Field '{field.Path}' must be a whole number; got '{raw}' {origin}.");
            case PayloadFieldType.Boolean when TryBoolean(raw.Trim(), out var flag):
                return field.WriteAsText ? PayloadValue.OfText(flag ? "true" : "false") : PayloadValue.OfBoolean(flag);
            case PayloadFieldType.Boolean:
                return PayloadValue.Failure($"Field '{field.Path}' must be true or false (also 1/0, yes/no); got '{raw}' {origin}.");
            case PayloadFieldType.Date or PayloadFieldType.DateTime when Dates.TryParse(raw, out var date):
                return Dates.Value(date, field.Format ?? PayloadTemplates.DateFormat);
            case PayloadFieldType.Date or PayloadFieldType.DateTime:
                return PayloadValue.Failure($"Field '{field.Path}' must be a date; got '{raw}' {origin}, which matches none of the formats tried: {string.Join(", ", Dates.Formats)}. Add its format to 'dateInputFormats'.");
            case PayloadFieldType.Choice when IsAllowed(field.AllowedValues, raw.Trim()):
                return PayloadValue.OfText(raw.Trim());
            default:
                return NotAllowed(field, raw, origin);
        }
    }

    private static bool IsAllowed(IReadOnlyList<string> allowed, string value)
    {
        for (var i = 0; i < allowed.Count; i++)
        {
            if (string.Equals(allowed[i], value, StringComparison.Ordinal)) return true;
        }
        return false;
    }

    // Out of Convert: a lambda capturing 'raw' there made every call allocate its closure, failing or not.
    private static PayloadValue NotAllowed(PayloadField field, string raw, string origin)
    {
        var near = field.AllowedValues.FirstOrDefault(v => string.Equals(v, raw.Trim(), StringComparison.OrdinalIgnoreCase));
        var hint = near is null ? "values are case-sensitive" : $"values are case-sensitive: did you mean '{near}'?";
        return PayloadValue.Failure($"Field '{field.Path}' must be one of {string.Join(", ", field.AllowedValues)}; got '{raw}' {origin} ({hint}).");
    }

    /// <summary>
    /// True when <paramref name="text"/> is a plain JSON number that a decimal writes back unchanged:
    /// an optional '-', digits without a leading zero (or one 0), and for a non-whole number an optional
    /// fraction; short enough for a decimal's precision; not a negative zero (a decimal drops that '-').
    /// </summary>
    internal static bool IsPlainNumber(string text, bool whole)
    {
        if (text.Length is 0 or > 20) return false;
        var at = text[0] == '-' ? 1 : 0;
        var start = at;
        while (at < text.Length && char.IsAsciiDigit(text[at])) at++;
        var digits = at - start;
        if (digits == 0 || (digits > 1 && text[start] == '0')) return false;
        if (at < text.Length)
        {
            if (whole || text[at] != '.') return false;
            var fraction = ++at;
            while (at < text.Length && char.IsAsciiDigit(text[at])) at++;
            if (at == fraction || at != text.Length) return false;
        }
        // "-0", "-0.00": a decimal writes those without the '-'.
        return start == 0 || text.AsSpan(start).ContainsAnyExcept('0', '.');
    }

    private static PayloadValue Number(PayloadField field, decimal number) =>
        field.WriteAsText ? PayloadValue.OfText(number.ToString(Invariant)) : PayloadValue.OfNumber(number);

    private static bool TryBoolean(string text, out bool flag)
    {
        switch (text.ToUpperInvariant())
        {
            case "TRUE" or "1" or "YES" or "Y":
                flag = true;
                return true;
            case "FALSE" or "0" or "NO" or "N":
                flag = false;
                return true;
            default:
                flag = false;
                return false;
        }
    }
}
