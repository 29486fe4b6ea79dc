using System.Buffers;
using System.Buffers.Text;
using System.Text;
using System.Text.Json;
using ConnectPlus.Engine.Blocks.Api;

namespace ConnectPlus.Tests.Blocks.Api;

/// <summary>
/// The payload builder's own JSON writer must write byte for byte what Utf8JsonWriter with the relaxed encoder
/// wrote before it: the same calls go to both and the bytes are compared.
/// </summary>
public sealed class PayloadJsonWriterTests
{
    // Text a bill may hold, and text that must be escaped: every ASCII char, quotes, backslashes, controls,
    // HTML characters, non-ASCII letters, a surrogate pair (emoji), line and paragraph separators.
    private static readonly string[] Texts =
    [
        "", "B100000001", "2026-10-28T00:00:09+05:30", "Basmati Rice 5kg, Blue", "say \"hi\"", @"C:\path\file",
        "tab\there", "line\nbreak", "cr\rlf\r\n", "\u0000\u0001\u001f", "<b>&amp;'`</b>", "+91 98100 12345",
        "Café crème", "नमस्ते", "مرحبا", "日本語", "emoji \U0001F600 pair", "sep\u2028\u2029end", "\u007f\u0080\u00a0",
        new string('x', 5000) + "\"" + new string('é', 3000),
        string.Concat(Enumerable.Range(0, 128).Select(c => (char)c)),
    ];

    [Fact]
    public void Writer_WritesWhatUtf8JsonWriterWrites_ForEveryKindOfText()
    {
        foreach (var text in Texts)
        {
            var (expected, actual) = Both(w =>
            {
                w.StartObject();
                w.Name(text);
                w.String(text);
                w.NameEncoded("fixed");
                w.String(text);
                w.EndObject();
            });
            Assert.True(expected.SequenceEqual(actual), $"Text {Escape(text)}: expected {Encoding.UTF8.GetString(expected)}, got {Encoding.UTF8.GetString(actual)}");
        }
    }

    [Fact]
    public void Writer_WritesEachAsciiCharAsUtf8JsonWriterDoes()
    {
        for (var c = 0; c < 0x80; c++)
        {
            var text = ((char)c).ToString();
            var (expected, actual) = Both(w =>
            {
                w.StartObject();
                w.Name("v");
                w.String(text);
                w.EndObject();
            });
            Assert.True(expected.SequenceEqual(actual), $"Char U+{c:X4}: expected {Encoding.UTF8.GetString(expected)}, got {Encoding.UTF8.GetString(actual)}");
        }
    }

    [Fact]
    public void Writer_WritesNestedObjectsArraysNumbersAndLiterals_AsUtf8JsonWriterDoes()
    {
        var random = new Random(4711);
        for (var document = 0; document < 500; document++)
        {
            var calls = RandomDocument(random);
            var (expected, actual) = Both(w => calls.ForEach(call => call(w)));
            Assert.True(expected.SequenceEqual(actual), $"Document {document}: expected {Encoding.UTF8.GetString(expected)}, got {Encoding.UTF8.GetString(actual)}");
        }
    }

    [Fact]
    public void Writer_StartsAfreshAfterReset()
    {
        using var writer = new PayloadJsonWriter();
        writer.WriteStartObject();
        writer.WritePropertyName("a");
        writer.WriteStringValue("x");
        writer.Reset();
        writer.WriteStartObject();
        writer.WritePropertyName("b");
        writer.WriteRawValue("1");
        writer.WriteEndObject();
        Assert.Equal("{\"b\":1}", Encoding.UTF8.GetString(writer.Written));
    }

    [Theory]
    [InlineData("0")]
    [InlineData("250.50")]
    [InlineData("-3")]
    [InlineData("0.0000000000000000000000000001")]
    [InlineData("79228162514264337593543950335")]
    [InlineData("-79228162514264337593543950335")]
    [InlineData("1.000")]
    [InlineData("123456789.123456789")]
    public void OfNumber_FormatsADecimalAsUtf8JsonWriterDoes(string text)
    {
        var number = decimal.Parse(text, System.Globalization.CultureInfo.InvariantCulture);
        var output = new ArrayBufferWriter<byte>();
        using (var json = new Utf8JsonWriter(output, new JsonWriterOptions { Encoder = PayloadJsonWriter.Encoder }))
            json.WriteNumberValue(number);

        Assert.Equal(Encoding.UTF8.GetString(output.WrittenSpan), PayloadValue.OfNumber(number).Text);
        Span<byte> formatted = stackalloc byte[64];
        Assert.True(Utf8Formatter.TryFormat(number, formatted, out var written));
        Assert.Equal(Encoding.UTF8.GetString(formatted[..written]), PayloadValue.OfNumber(number).Text);
    }

    private static List<Action<IWriter>> RandomDocument(Random random)
    {
        var calls = new List<Action<IWriter>> { w => w.StartObject() };
        var depth = 1;
        var inObject = new Stack<bool>([true]);
        var steps = random.Next(1, 40);
        for (var i = 0; i < steps; i++)
        {
            var text = Texts[random.Next(Texts.Length)];
            var name = random.Next(3) == 0 ? Texts[random.Next(Texts.Length)] : $"p{i}";
            var inObj = inObject.Peek();
            var choice = random.Next(depth > 5 ? 5 : 8);
            if (choice is 5 or 6 && depth < 8)
            {
                // Inside an array only objects, as the builder writes them (line items); named ones either.
                var isObject = choice == 5 || !inObj;
                if (inObj)
                {
                    var encoded = random.Next(2) == 0;
                    calls.Add(w => w.StartNamed(name, isObject, encoded));
                }
                else calls.Add(w => w.StartObject());
                inObject.Push(isObject);
                depth++;
                continue;
            }
            if (choice == 7 && depth > 1)
            {
                var wasObject = inObject.Pop();
                calls.Add(w => w.End(wasObject));
                depth--;
                continue;
            }
            if (inObj)
            {
                var encoded = random.Next(2) == 0;
                calls.Add(encoded ? w => w.NameEncoded(name) : w => w.Name(name));
            }
            switch (choice % 4)
            {
                case 0: calls.Add(w => w.String(text)); break;
                case 1:
                    var number = (random.Next(2) == 0 ? -1 : 1) * random.Next(0, 1_000_000) / (decimal)Math.Pow(10, random.Next(0, 5));
                    var json = PayloadValue.OfNumber(number).Text!;
                    calls.Add(w => w.Raw(json, number));
                    break;
                case 2:
                    var flag = random.Next(2) == 0;
                    calls.Add(w => w.Boolean(flag));
                    break;
                default:
                    var nullOrText = random.Next(2) == 0 ? null : text;
                    calls.Add(w => w.String(nullOrText));
                    break;
            }
        }
        while (inObject.Count > 0)
        {
            var wasObject = inObject.Pop();
            calls.Add(w => w.End(wasObject));
        }
        return calls;
    }

    private static (byte[] Expected, byte[] Actual) Both(Action<IWriter> write)
    {
        var output = new ArrayBufferWriter<byte>();
        using (var json = new Utf8JsonWriter(output, new JsonWriterOptions { Encoder = PayloadJsonWriter.Encoder }))
        {
            write(new Reference(json));
            json.Flush();
        }
        using var mine = new PayloadJsonWriter();
        write(new Mine(mine));
        return (output.WrittenSpan.ToArray(), mine.Written.ToArray());
    }

    private static string Escape(string text) => text.Length > 40 ? $"({text.Length} chars)" : string.Concat(text.Select(c => c < 0x20 || c > 0x7e ? $"\\u{(int)c:x4}" : c.ToString()));

    private interface IWriter
    {
        void StartObject();
        void StartNamed(string name, bool isObject, bool encoded);
        void End(bool isObject);
        void Name(string name);
        void NameEncoded(string name);
        void String(string? value);
        void Raw(string json, decimal number);
        void Boolean(bool flag);
        void EndObject() => End(true);
    }

    private sealed class Reference(Utf8JsonWriter json) : IWriter
    {
        public void StartObject() => json.WriteStartObject();
        public void StartNamed(string name, bool isObject, bool encoded)
        {
            if (encoded) json.WritePropertyName(JsonEncodedText.Encode(name, PayloadJsonWriter.Encoder));
            else json.WritePropertyName(name);
            if (isObject) json.WriteStartObject();
            else json.WriteStartArray();
        }
        public void End(bool isObject)
        {
            if (isObject) json.WriteEndObject();
            else json.WriteEndArray();
        }
        public void Name(string name) => json.WritePropertyName(name);
        public void NameEncoded(string name) => json.WritePropertyName(JsonEncodedText.Encode(name, PayloadJsonWriter.Encoder));
        public void String(string? value) => json.WriteStringValue(value);
        public void Raw(string json1, decimal number) => json.WriteNumberValue(number);
        public void Boolean(bool flag) => json.WriteBooleanValue(flag);
    }

    private sealed class Mine(PayloadJsonWriter json) : IWriter
    {
        public void StartObject() => json.WriteStartObject();
        public void StartNamed(string name, bool isObject, bool encoded)
        {
            if (isObject && encoded) json.WriteStartObject(JsonEncodedText.Encode(name, PayloadJsonWriter.Encoder));
            else if (isObject) json.WriteStartObject(name);
            else if (encoded) json.WriteStartArray(JsonEncodedText.Encode(name, PayloadJsonWriter.Encoder));
            else json.WriteStartArray(name);
        }
        public void End(bool isObject)
        {
            if (isObject) json.WriteEndObject();
            else json.WriteEndArray();
        }
        public void Name(string name) => json.WritePropertyName(name);
        public void NameEncoded(string name) => json.WritePropertyName(JsonEncodedText.Encode(name, PayloadJsonWriter.Encoder));
        public void String(string? value) => json.WriteStringValue(value);
        public void Raw(string json1, decimal number) => json.WriteRawValue(json1);
        public void Boolean(bool flag) => json.WriteRawValue(flag ? "true" : "false");
    }
}
