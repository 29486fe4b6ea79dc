using System.Globalization;
using System.Text;
using System.Text.Json;

namespace ConnectPlus.Engine.Blocks.Api;

/// <summary>
/// Reads a v2 bulk answer (<c>{"response":[{entityId, result:{sideEffects}, errors, warnings}], …}</c>)
/// in one forward pass, without building a document: every batch's answer is read, and the sandbox's
/// (like Capillary's) carries a whole transaction per item. Gives the same results as
/// <see cref="CapillaryTarget"/>'s document reading for the answers it takes; anything out of the
/// ordinary (an item that is not an object, a property given twice) it leaves to that reading.
/// The usual answers are read by <see cref="V2BulkAnswerScanner"/> straight from the bytes; the rest token by token.
/// </summary>
internal static class V2BulkAnswerReader
{
    /// <summary>Texts of the whole numbers of points most items get (0 to 1023), made once.</summary>
    private static readonly string[] SmallWholeNumbers = [.. Enumerable.Range(0, 1024).Select(n => n.ToString(CultureInfo.InvariantCulture))];

    /// <summary>
    /// True when the answer was read: <paramref name="results"/> are the items' results, or null when
    /// the answer carries none for <paramref name="count"/> items. False: read it as a document instead.
    /// Throws <see cref="JsonException"/> when the body is not JSON.
    /// </summary>
    public static bool TryRead(ReadOnlySpan<byte> body, int count, out List<ItemResult>? results) =>
        V2BulkAnswerScanner.TryRead(body, count, out results) || TryReadTokens(body, count, out results);

    /// <summary>
    /// <see cref="TryRead"/> token by token, for any answer (the <see cref="V2BulkAnswerScanner"/> takes the
    /// usual ones and leaves the rest to this).
    /// </summary>
    internal static bool TryReadTokens(ReadOnlySpan<byte> body, int count, out List<ItemResult>? results)
    {
        results = null;
        var reader = new Utf8JsonReader(body);
        if (!reader.Read()) throw new JsonException("The answer is empty.");
        if (reader.TokenType != JsonTokenType.StartObject)
        {
            reader.Skip();
            EndOfAnswer(ref reader);
            return true;
        }
        var seenResponse = false;
        List<ItemResult>? read = null;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (!reader.ValueTextEquals("response"u8))
            {
                reader.Read();
                reader.Skip();
                continue;
            }
            if (seenResponse) return false;
            seenResponse = true;
            reader.Read();
            if (reader.TokenType != JsonTokenType.StartArray)
            {
                reader.Skip();
                continue;
            }
            read = new List<ItemResult>(count);
            while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
            {
                if (reader.TokenType != JsonTokenType.StartObject || !TryReadItem(ref reader, out var item)) return false;
                read.Add(item);
            }
        }
        EndOfAnswer(ref reader);
        results = read is not null && read.Count == count ? read : null;
        return true;
    }

    /// <summary>Nothing but white space may follow the answer (a document would refuse it too).</summary>
    private static void EndOfAnswer(ref Utf8JsonReader reader)
    {
        if (reader.Read()) throw new JsonException("The answer goes on after its end.");
    }

    private static bool TryReadItem(ref Utf8JsonReader reader, out ItemResult item)
    {
        item = default;
        string? entityId = null;
        List<(string? Code, string? Message)>? errors = null, warnings = null;
        decimal? resultPoints = null, itemPoints = null;
        var seen = 0;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var property = reader.ValueTextEquals("entityId"u8) ? 1
                : reader.ValueTextEquals("errors"u8) ? 2
                : reader.ValueTextEquals("warnings"u8) ? 4
                : reader.ValueTextEquals("result"u8) ? 8
                : reader.ValueTextEquals("sideEffects"u8) ? 16
                : 0;
            if ((seen & property) != 0) return false;
            seen |= property;
            reader.Read();
            switch (property)
            {
                case 1: entityId = Text(ref reader); break;
                case 2: errors = Messages(ref reader); break;
                case 4: warnings = Messages(ref reader); break;
                case 8 when reader.TokenType == JsonTokenType.StartObject:
                    if (!TryReadResult(ref reader, out resultPoints)) return false;
                    break;
                case 16:
                    if (!TryReadEffects(ref reader, out itemPoints)) return false;
                    break;
                default: reader.Skip(); break;
            }
        }
        item = Result(entityId, errors, warnings, resultPoints ?? itemPoints);
        return true;
    }

    /// <summary>An item's result from what its answer holds (both readers make it so).</summary>
    internal static ItemResult Result(string? entityId, List<(string? Code, string? Message)>? errors, List<(string? Code, string? Message)>? warnings, decimal? points)
    {
        if (errors is { Count: > 0 }) return ItemResult.Rejected(errors[0].Code, Join(errors, null));
        var text = PointsText(points);
        return warnings is not { Count: > 0 }
            ? ItemResult.Success(entityId: entityId, points: text)
            : ItemResult.Success(warnings[0].Code, Join(warnings, "warning: "), entityId, text);
    }

    /// <summary>The messages joined by "; " after <paramref name="prefix"/> (as <see cref="string.Join(string, IEnumerable{string})"/> joins them).</summary>
    private static string Join(List<(string? Code, string? Message)> messages, string? prefix)
    {
        if (messages.Count == 1) return prefix is null ? messages[0].Message ?? "" : prefix + messages[0].Message;
        var text = new StringBuilder(prefix);
        for (var i = 0; i < messages.Count; i++)
        {
            if (i > 0) text.Append("; ");
            text.Append(messages[i].Message);
        }
        return text.ToString();
    }

    /// <summary>
    /// <paramref name="total"/> as <see cref="decimal.ToString(IFormatProvider)"/> writes it in the invariant culture;
    /// a whole number below 1024 without decimals (120, not 120.0) is the same text, kept once; a larger one
    /// without decimals is its digits, as <see cref="long.ToString(IFormatProvider)"/> writes them (faster).
    /// </summary>
    internal static string? PointsText(decimal? total)
    {
        if (total is not { } value) return null;
        if (value.Scale == 0 && !decimal.IsNegative(value))
        {
            if (value < SmallWholeNumbers.Length) return SmallWholeNumbers[(int)value];
            if (value <= long.MaxValue) return ((long)value).ToString(CultureInfo.InvariantCulture);
        }
        return value.ToString(CultureInfo.InvariantCulture);
    }

    /// <summary>The item's <c>result</c> object: only its <c>sideEffects</c> matter.</summary>
    private static bool TryReadResult(ref Utf8JsonReader reader, out decimal? points)
    {
        points = null;
        var seen = false;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (!reader.ValueTextEquals("sideEffects"u8))
            {
                reader.Read();
                reader.Skip();
                continue;
            }
            if (seen) return false;
            seen = true;
            reader.Read();
            if (!TryReadEffects(ref reader, out points)) return false;
        }
        return true;
    }

    /// <summary>
    /// A <c>sideEffects</c> value: an array of effects or one effect. Its points: the sum of
    /// <c>awardedPoints</c> over the effects of type "points" (null when there are none).
    /// </summary>
    private static bool TryReadEffects(ref Utf8JsonReader reader, out decimal? points)
    {
        points = null;
        if (reader.TokenType == JsonTokenType.StartObject) return TryReadEffect(ref reader, ref points);
        if (reader.TokenType != JsonTokenType.StartArray)
        {
            reader.Skip();
            return true;
        }
        while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
        {
            if (reader.TokenType != JsonTokenType.StartObject)
            {
                reader.Skip();
                continue;
            }
            if (!TryReadEffect(ref reader, ref points)) return false;
        }
        return true;
    }

    private static bool TryReadEffect(ref Utf8JsonReader reader, ref decimal? points)
    {
        bool seenType = false, seenAmount = false, isPoints = false;
        decimal? amount = null;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (reader.ValueTextEquals("type"u8))
            {
                if (seenType) return false;
                seenType = true;
                reader.Read();
                // "points" as the API writes it is read without making a string; any other case or spelling is compared as text.
                isPoints = reader.TokenType == JsonTokenType.String
                    && (reader.ValueTextEquals("points"u8) || string.Equals(reader.GetString(), "points", StringComparison.OrdinalIgnoreCase));
                if (reader.TokenType is JsonTokenType.StartObject or JsonTokenType.StartArray) reader.Skip();
            }
            else if (reader.ValueTextEquals("awardedPoints"u8))
            {
                if (seenAmount) return false;
                seenAmount = true;
                reader.Read();
                amount = Amount(ref reader);
            }
            else
            {
                reader.Read();
                reader.Skip();
            }
        }
        if (isPoints && amount is { } value) points = (points ?? 0) + value;
        return true;
    }

    /// <summary><c>errors</c> or <c>warnings</c>: the code and message of each object of the array (nothing when it is not one).</summary>
    private static List<(string? Code, string? Message)>? Messages(ref Utf8JsonReader reader)
    {
        if (reader.TokenType != JsonTokenType.StartArray)
        {
            reader.Skip();
            return null;
        }
        List<(string? Code, string? Message)>? list = null;
        while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
        {
            if (reader.TokenType != JsonTokenType.StartObject)
            {
                reader.Skip();
                continue;
            }
            string? code = null, message = null;
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                var which = reader.ValueTextEquals("code"u8) ? 1 : reader.ValueTextEquals("message"u8) ? 2 : 0;
                reader.Read();
                if (which == 1) code = Text(ref reader);
                else if (which == 2) message = Text(ref reader);
                else reader.Skip();
            }
            (list ??= []).Add((code, message));
        }
        return list;
    }

    /// <summary>A value as text: strings as they are, numbers and booleans as written; null otherwise (objects and arrays skipped).</summary>
    private static string? Text(ref Utf8JsonReader reader)
    {
        switch (reader.TokenType)
        {
            case JsonTokenType.String:
                return reader.GetString();
            case JsonTokenType.Number or JsonTokenType.True or JsonTokenType.False:
                return Encoding.UTF8.GetString(reader.ValueSpan);
            default:
                reader.Skip();
                return null;
        }
    }

    /// <summary>A number, or a string holding one (as Capillary writes some amounts); null otherwise.</summary>
    private static decimal? Amount(ref Utf8JsonReader reader)
    {
        switch (reader.TokenType)
        {
            case JsonTokenType.Number:
                return reader.TryGetDecimal(out var number) ? number : null;
            case JsonTokenType.String:
                return decimal.TryParse(reader.GetString(), NumberStyles.Number, CultureInfo.InvariantCulture, out var parsed) ? parsed : null;
            case JsonTokenType.StartObject or JsonTokenType.StartArray:
                reader.Skip();
                return null;
            default:
                return null;
        }
    }
}
