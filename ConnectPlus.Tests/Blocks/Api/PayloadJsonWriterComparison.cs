using System.Buffers;
using System.Text.Json;
using ConnectPlus.Engine.Blocks.Api;

namespace ConnectPlus.Tests.Blocks.Api;

/// <summary>
/// One property written by <see cref="PayloadJsonWriter.WriteProperty"/> and by <see cref="Utf8JsonWriter"/> (with the
/// same encoder) in the same object: after another property, or first when <paramref name="first"/>, and before one.
/// </summary>
internal static class PayloadJsonWriterComparison
{
    /// <summary>The bytes Utf8JsonWriter writes (expected) and those PayloadJsonWriter writes (actual).</summary>
    public static (byte[] Expected, byte[] Actual) WriteProperty(string name, string value, bool raw, bool first = false)
    {
        var encoded = JsonEncodedText.Encode(name, PayloadJsonWriter.Encoder);
        byte[] quoted = [(byte)'"', .. encoded.EncodedUtf8Bytes, (byte)'"', (byte)':'];
        var output = new ArrayBufferWriter<byte>();
        using (var json = new Utf8JsonWriter(output, new JsonWriterOptions { Encoder = PayloadJsonWriter.Encoder, SkipValidation = true }))
        {
            json.WriteStartObject();
            if (!first) json.WriteString("before", "x");
            json.WritePropertyName(encoded);
            if (raw) json.WriteRawValue(value, skipInputValidation: true);
            else json.WriteStringValue(value);
            json.WriteString("after", "y");
            json.WriteEndObject();
        }
        using var mine = new PayloadJsonWriter();
        mine.WriteStartObject();
        if (!first)
        {
            mine.WritePropertyName("before");
            mine.WriteStringValue("x");
        }
        mine.WriteProperty(quoted, value, raw);
        mine.WritePropertyName("after");
        mine.WriteStringValue("y");
        mine.WriteEndObject();
        return (output.WrittenSpan.ToArray(), mine.Written.ToArray());
    }
}
