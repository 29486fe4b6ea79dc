using System.Buffers;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace ConnectPlus.Engine.Blocks.Api;

/// <summary>
/// Writes the JSON of payload items: minimized, and byte for byte what a <see cref="Utf8JsonWriter"/> with
/// <see cref="JavaScriptEncoder.UnsafeRelaxedJsonEscaping"/> writes for the same calls. Text made only of
/// printable ASCII that needs no escaping (almost every value of a bill) is copied straight in; anything
/// else is escaped by such a <see cref="Utf8JsonWriter"/> itself, so the rules are the same by construction.
/// It checks no structure (the builder writes well-formed items). Buffers are reused; not thread-safe.
/// </summary>
internal sealed class PayloadJsonWriter : IDisposable
{
    /// <summary>The encoder whose escaping this writer reproduces.</summary>
    public static readonly JavaScriptEncoder Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping;

    // Every char that is not printable ASCII written as itself by the encoder: such text takes the slow path.
    private static readonly SearchValues<char> Plain = SearchValues.Create(PlainAscii());

    // The same chars as bytes: narrowed ASCII text is checked after it is copied in.
    private static readonly SearchValues<byte> PlainBytes = SearchValues.Create(Encoding.ASCII.GetBytes(PlainAscii()));

    private readonly ArrayBufferWriter<byte> _escaped = new(256);
    private readonly Utf8JsonWriter _escaper;
    private byte[] _buffer = new byte[4096];
    private int _length;
    // Per open object or array (the current one last): whether it has an element, so the next one needs a comma.
    private bool[] _open = new bool[16];
    private int _depth;
    private bool _hasElement;
    private bool _afterName;

    public PayloadJsonWriter()
    {
        _escaper = new Utf8JsonWriter(_escaped, new JsonWriterOptions { Encoder = Encoder, SkipValidation = true });
    }

    /// <summary>The bytes written since the last <see cref="Reset"/>.</summary>
    public ReadOnlySpan<byte> Written => _buffer.AsSpan(0, _length);

    /// <summary>Starts a new document in the same buffer.</summary>
    public void Reset()
    {
        _length = 0;
        _depth = 0;
        _hasElement = false;
        _afterName = false;
    }

    public void WriteStartObject() => Start((byte)'{');

    public void WriteStartObject(JsonEncodedText name)
    {
        WritePropertyName(name);
        Start((byte)'{');
    }

    public void WriteStartObject(string name)
    {
        WritePropertyName(name);
        Start((byte)'{');
    }

    public void WriteStartArray(JsonEncodedText name)
    {
        WritePropertyName(name);
        Start((byte)'[');
    }

    public void WriteStartArray(string name)
    {
        WritePropertyName(name);
        Start((byte)'[');
    }

    public void WriteEndObject() => End((byte)'}');

    public void WriteEndArray() => End((byte)']');

    public void WritePropertyName(JsonEncodedText name)
    {
        var bytes = name.EncodedUtf8Bytes;
        var span = Reserve(bytes.Length + 4);
        var at = 0;
        if (_hasElement) span[at++] = (byte)',';
        span[at++] = (byte)'"';
        bytes.CopyTo(span[at..]);
        at += bytes.Length;
        span[at++] = (byte)'"';
        span[at++] = (byte)':';
        _length += at;
        _hasElement = true;
        _afterName = true;
    }

    public void WritePropertyName(string name)
    {
        if (_hasElement) Put((byte)',');
        WriteQuoted(name);
        Put((byte)':');
        _hasElement = true;
        _afterName = true;
    }

    /// <summary>
    /// A property and its value: <paramref name="quotedName"/> is the name as <see cref="WritePropertyName(JsonEncodedText)"/>
    /// writes it (<c>"name":</c>), <paramref name="text"/> a JSON string's text (<paramref name="raw"/> false) or a number or
    /// literal already in JSON form (<paramref name="raw"/> true). The same bytes as the name and then the value written apart;
    /// printable ASCII (almost every value) goes in with one reservation and no escaper.
    /// </summary>
    public void WriteProperty(ReadOnlySpan<byte> quotedName, string text, bool raw)
    {
        // One pass narrows the text into the buffer (it stops at the first char that is not ASCII); a JSON string's
        // bytes are then checked for any the encoder would escape. Nothing counts as written until both agree, so
        // text that is not plain is written over by the escaping path below, as before.
        var span = Reserve(quotedName.Length + text.Length + 3);
        var at = 0;
        if (_hasElement) span[at++] = (byte)',';
        quotedName.CopyTo(span[at..]);
        at += quotedName.Length;
        if (!raw) span[at++] = (byte)'"';
        if (Ascii.FromUtf16(text, span[at..], out var written) == OperationStatus.Done
            && (raw || !span.Slice(at, written).ContainsAnyExcept(PlainBytes)))
        {
            at += written;
            if (!raw) span[at++] = (byte)'"';
            _length += at;
            _hasElement = true;
            return;
        }
        WriteQuotedName(quotedName);
        if (raw) WriteRawValue(text);
        else WriteStringValue(text);
    }

    /// <summary>
    /// A property whose value is a v2 date-time packed by <see cref="PayloadDates.PackV2"/>: the same bytes as
    /// <see cref="WriteProperty"/> with its text (<see cref="PayloadDates.FormatV2"/>, printable ASCII), without making the text.
    /// </summary>
    public void WriteV2DateProperty(ReadOnlySpan<byte> quotedName, long packed)
    {
        var span = Reserve(quotedName.Length + PayloadDates.V2Length + 3);
        var at = 0;
        if (_hasElement) span[at++] = (byte)',';
        quotedName.CopyTo(span[at..]);
        at += quotedName.Length;
        span[at++] = (byte)'"';
        PayloadDates.WriteV2(span.Slice(at, PayloadDates.V2Length), packed);
        at += PayloadDates.V2Length;
        span[at++] = (byte)'"';
        _length += at;
        _hasElement = true;
    }

    /// <summary>A JSON string of a v2 date-time packed by <see cref="PayloadDates.PackV2"/> (as <see cref="WriteStringValue"/> of its text).</summary>
    public void WriteV2DateValue(long packed)
    {
        BeforeValue();
        var span = Reserve(PayloadDates.V2Length + 2);
        span[0] = (byte)'"';
        PayloadDates.WriteV2(span.Slice(1, PayloadDates.V2Length), packed);
        span[PayloadDates.V2Length + 1] = (byte)'"';
        _length += PayloadDates.V2Length + 2;
    }

    /// <summary>A property already in JSON form (<c>"name":value</c>, without a comma before it), written as it is.</summary>
    public void WriteRawProperty(ReadOnlySpan<byte> property)
    {
        var span = Reserve(property.Length + 1);
        var at = 0;
        if (_hasElement) span[at++] = (byte)',';
        property.CopyTo(span[at..]);
        _length += at + property.Length;
        _hasElement = true;
    }

    private void WriteQuotedName(ReadOnlySpan<byte> quotedName)
    {
        // "name": is written as a raw property is; its value follows.
        WriteRawProperty(quotedName);
        _afterName = true;
    }

    /// <summary>A JSON string (null writes null, as <see cref="Utf8JsonWriter.WriteStringValue(string)"/> does).</summary>
    public void WriteStringValue(string? value)
    {
        BeforeValue();
        if (value is null) PutAscii("null");
        else WriteQuoted(value);
    }

    /// <summary>A number or a literal (true, false) already in JSON form, written as it is.</summary>
    public void WriteRawValue(string text)
    {
        BeforeValue();
        PutAscii(text);
    }

    public void Dispose() => _escaper.Dispose();

    private void Start(byte bracket)
    {
        BeforeValue();
        Put(bracket);
        if (_depth == _open.Length) Array.Resize(ref _open, _depth * 2);
        _open[_depth++] = _hasElement;
        _hasElement = false;
    }

    private void End(byte bracket)
    {
        Put(bracket);
        _hasElement = _open[--_depth];
    }

    private void BeforeValue()
    {
        if (_afterName)
        {
            _afterName = false;
            return;
        }
        if (_hasElement) Put((byte)',');
        _hasElement = true;
    }

    /// <summary>Text in quotes, escaped as the encoder escapes it.</summary>
    private void WriteQuoted(string text)
    {
        if (!text.AsSpan().ContainsAnyExcept(Plain))
        {
            var span = Reserve(text.Length + 2);
            span[0] = (byte)'"';
            Ascii.FromUtf16(text, span[1..], out var written);
            span[1 + written] = (byte)'"';
            _length += written + 2;
            return;
        }
        _escaped.ResetWrittenCount();
        _escaper.Reset(_escaped);
        _escaper.WriteStringValue(text);
        _escaper.Flush();
        _escaped.WrittenSpan.CopyTo(Reserve(_escaped.WrittenCount));
        _length += _escaped.WrittenCount;
    }

    private void PutAscii(string text)
    {
        var span = Reserve(text.Length);
        if (Ascii.FromUtf16(text, span, out var written) == OperationStatus.Done)
        {
            _length += written;
            return;
        }
        // Not ASCII after all: as UTF-8, as Utf8JsonWriter.WriteRawValue would transcode it.
        var bytes = Encoding.UTF8.GetBytes(text);
        bytes.CopyTo(Reserve(bytes.Length));
        _length += bytes.Length;
    }

    private void Put(byte value)
    {
        if (_length == _buffer.Length) Grow(1);
        _buffer[_length++] = value;
    }

    private Span<byte> Reserve(int count)
    {
        if (_buffer.Length - _length < count) Grow(count);
        return _buffer.AsSpan(_length);
    }

    private void Grow(int count) => Array.Resize(ref _buffer, Math.Max(_buffer.Length * 2, _length + count));

    /// <summary>The printable ASCII chars that a <see cref="Utf8JsonWriter"/> with the encoder writes as themselves (asked of it, once).</summary>
    private static string PlainAscii()
    {
        var plain = new StringBuilder();
        var output = new ArrayBufferWriter<byte>(16);
        using var json = new Utf8JsonWriter(output, new JsonWriterOptions { Encoder = Encoder, SkipValidation = true });
        for (var c = (char)0x20; c < 0x7F; c++)
        {
            output.ResetWrittenCount();
            json.Reset(output);
            json.WriteStringValue(c.ToString());
            json.Flush();
            if (output.WrittenSpan is [(byte)'"', var b, (byte)'"'] && b == c) plain.Append(c);
        }
        return plain.ToString();
    }
}
