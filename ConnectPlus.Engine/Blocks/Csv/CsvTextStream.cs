using System.Buffers;
using System.Text;
using System.Text.Unicode;
using ConnectPlus.Engine.Data;
using ConnectPlus.Engine.Runtime;

namespace ConnectPlus.Engine.Blocks.Csv;

/// <summary>
/// A CSV file's bytes on their way to the CSV reader. Opening it reads the first 64 KiB to choose the
/// encoding (byte order mark, the Encoding setting, a UTF-8 check for auto) and to refuse files that
/// are not text; reading replays those bytes, then streams the rest, checking that UTF-8 input is
/// valid UTF-8 as it goes (a wrong encoding would otherwise turn characters into U+FFFD silently).
/// The first invalid byte is noted in <see cref="InvalidAt"/>; the CSV reader, which knows which
/// record holds that byte, stops there with the record's line.
/// </summary>
internal sealed class CsvTextStream : Stream
{
    private const int SampleSize = 64 * 1024;
    private readonly Stream _inner;
    private readonly string _fileName;
    private readonly byte[] _head;
    private readonly int _headLength;
    private int _headRead;
    private Decoder? _utf8Check;
    private bool _lastWasAscii = true;
    private long _offset;

    private CsvTextStream(Stream inner, string fileName, byte[] head, int headLength, Choice choice)
    {
        _inner = inner;
        _fileName = fileName;
        _head = head;
        _headLength = headLength;
        Encoding = choice.Encoding;
        EncodingName = choice.Name;
        if (choice.CheckUtf8) _utf8Check = new UTF8Encoding(false, throwOnInvalidBytes: true).GetDecoder();
    }

    /// <summary>The encoding to give the CSV reader: null for UTF-8 and for input with a UTF-16/32 byte order mark (the reader follows it).</summary>
    public Encoding? Encoding { get; }

    /// <summary>The encoding chosen, for the run log.</summary>
    public string EncodingName { get; }

    /// <summary>Offset of the first byte that is not valid UTF-8 (UTF-8 input only), or -1.</summary>
    public long InvalidAt { get; private set; } = -1;

    public override bool CanRead => true;
    public override bool CanSeek => false;
    public override bool CanWrite => false;
    public override long Length => throw new NotSupportedException();

    public override long Position
    {
        get => _offset;
        set => throw new NotSupportedException();
    }

    /// <summary>Opens a file, chooses its encoding and checks that it is text.</summary>
    /// <exception cref="BlockException">The file is not text (an archive, binary data).</exception>
    public static async Task<CsvTextStream> OpenAsync(FileItem file, CsvReadEncoding setting, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(file);
        var inner = await file.OpenReadAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var head = new byte[SampleSize];
            var length = 0;
            int read;
            while (length < head.Length && (read = await inner.ReadAsync(head.AsMemory(length), cancellationToken).ConfigureAwait(false)) > 0)
                length += read;
            var choice = Choose(head.AsSpan(0, length), atEnd: length < head.Length, setting, file.Name);
            return new CsvTextStream(inner, file.Name, head, length, choice);
        }
        catch
        {
            await inner.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        if (buffer.IsEmpty) return 0;
        var n = FromHead(buffer.Span);
        if (n == 0) n = await _inner.ReadAsync(buffer, cancellationToken).ConfigureAwait(false);
        Check(buffer.Span[..n]);
        return n;
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override int Read(Span<byte> buffer)
    {
        if (buffer.IsEmpty) return 0;
        var n = FromHead(buffer);
        if (n == 0) n = _inner.Read(buffer);
        Check(buffer[..n]);
        return n;
    }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override void Flush() { }
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();
    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing) _inner.Dispose();
        base.Dispose(disposing);
    }

    public override async ValueTask DisposeAsync()
    {
        await _inner.DisposeAsync().ConfigureAwait(false);
        await base.DisposeAsync().ConfigureAwait(false);
    }

    private int FromHead(Span<byte> buffer)
    {
        if (_headRead >= _headLength) return 0;
        var n = Math.Min(buffer.Length, _headLength - _headRead);
        _head.AsSpan(_headRead, n).CopyTo(buffer);
        _headRead += n;
        return n;
    }

    /// <summary>The fault for the invalid byte at <see cref="InvalidAt"/>, found in the given line of the file.</summary>
    public BlockException NotUtf8(string where) => new(
        $"{_fileName} {where} (byte {(InvalidAt + 1).ToString("N0", System.Globalization.CultureInfo.InvariantCulture)}) is not valid UTF-8, so the file is in another encoding. " +
        "Set Encoding to the file's encoding (windows1252 or latin1 for most Western European exports).")
    { Setting = "encoding", File = _fileName };

    private void Check(ReadOnlySpan<byte> bytes)
    {
        if (_utf8Check is not null)
        {
            // ASCII is valid UTF-8, and after an ASCII byte the decoder holds no unfinished sequence:
            // such reads (most of most files) are checked with a faster scan, and the decoder passed over.
            if (_lastWasAscii && !bytes.IsEmpty && Ascii.IsValid(bytes))
            {
                _offset += bytes.Length;
                return;
            }
            _lastWasAscii = !bytes.IsEmpty && bytes[^1] < 0x80;
            // GetChars, not GetCharCount: only decoding keeps the state of a character whose bytes a read splits.
            var chars = ArrayPool<char>.Shared.Rent(bytes.Length + 4);
            try
            {
                _utf8Check.GetChars(bytes, chars, flush: bytes.IsEmpty);
                if (bytes.IsEmpty) _utf8Check = null;
            }
            catch (DecoderFallbackException ex)
            {
                // Index is relative to these bytes (negative for a sequence begun in the previous read).
                InvalidAt = Math.Max(0, _offset + Math.Clamp(ex.Index, int.MinValue, bytes.Length));
                _utf8Check = null;
            }
            finally
            {
                ArrayPool<char>.Shared.Return(chars);
            }
        }
        _offset += bytes.Length;
    }

    private readonly record struct Choice(Encoding? Encoding, string Name, bool CheckUtf8);

    private static Choice Choose(ReadOnlySpan<byte> head, bool atEnd, CsvReadEncoding setting, string fileName)
    {
        // The CSV reader follows UTF-16 and UTF-32 byte order marks whatever its Encoding option says.
        if (head.StartsWith((ReadOnlySpan<byte>)[0xFF, 0xFE, 0, 0])) return new(null, "UTF-32 (byte order mark)", false);
        if (head.StartsWith((ReadOnlySpan<byte>)[0, 0, 0xFE, 0xFF])) return new(null, "UTF-32 big endian (byte order mark)", false);
        if (head.StartsWith((ReadOnlySpan<byte>)[0xFF, 0xFE])) return new(null, "UTF-16 (byte order mark)", false);
        if (head.StartsWith((ReadOnlySpan<byte>)[0xFE, 0xFF])) return new(null, "UTF-16 big endian (byte order mark)", false);
        var utf8Bom = head.StartsWith((ReadOnlySpan<byte>)[0xEF, 0xBB, 0xBF]);
        if (setting == CsvReadEncoding.Utf16 && !utf8Bom) return new(System.Text.Encoding.Unicode, "UTF-16", false);
        if (NotText(head) is { } reason)
            throw new BlockException($"{fileName} is not a text file: {reason}") { File = fileName };
        if (utf8Bom) return new(null, "UTF-8 (byte order mark)", true);
        return setting switch
        {
            CsvReadEncoding.Utf8 => new(null, "UTF-8", true),
            CsvReadEncoding.Latin1 => new(System.Text.Encoding.Latin1, "ISO-8859-1", false),
            CsvReadEncoding.Windows1252 => new(CsvFormat.Windows1252, "windows-1252", false),
            _ when IsUtf8(head, atEnd) => new(null, "UTF-8", true),
            _ => new(CsvFormat.Windows1252, "windows-1252 (the file is not UTF-8)", false),
        };
    }

    private static string? NotText(ReadOnlySpan<byte> head)
    {
        const string Filter = " Set File name pattern so that only CSV files are read.";
        if (head.StartsWith("PK\x03\x04"u8) || head.StartsWith("PK\x05\x06"u8))
            return "it is a zip archive. Put an Unzip block before Read CSV." + Filter;
        if (head.StartsWith((ReadOnlySpan<byte>)[0x1F, 0x8B]))
            return "it is a gzip archive. Put an Unzip block before Read CSV." + Filter;
        if (head.StartsWith("%PDF-"u8)) return "it is a PDF document." + Filter;
        var nul = head.IndexOf((byte)0);
        if (nul >= 0)
            return $"byte {nul + 1} is a NUL character, which text files do not contain. If it is UTF-16 text without a byte order mark, set Encoding to utf16.{Filter}";
        var controls = 0;
        foreach (var b in head)
        {
            // Tab, line breaks, form feed and the old DOS end-of-file mark do appear in text files.
            if (b < 0x20 && b is not ((byte)'\t' or (byte)'\n' or 0x0B or 0x0C or (byte)'\r' or 0x1A or 0x1B)) controls++;
        }
        return controls * 100L > head.Length
            ? $"{controls} of its first {head.Length} bytes are control characters, as in binary data.{Filter}"
            : null;
    }

    private static bool IsUtf8(ReadOnlySpan<byte> head, bool atEnd)
    {
        var chars = ArrayPool<char>.Shared.Rent(Math.Max(1, head.Length));
        try
        {
            var status = Utf8.ToUtf16(head, chars, out _, out _, replaceInvalidSequences: false, isFinalBlock: atEnd);
            return status is System.Buffers.OperationStatus.Done or System.Buffers.OperationStatus.NeedMoreData;
        }
        finally
        {
            ArrayPool<char>.Shared.Return(chars);
        }
    }
}
