using System.Buffers;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Text.Unicode;
using CsvHelper;

namespace ConnectPlus.Engine.Blocks.Csv;

/// <summary>
/// Writes the records of Write CSV's common files (UTF-8, RFC 4180 quoting when needed or always, any
/// ASCII separator, CRLF or LF) straight into a pooled byte buffer, with the same bytes as CsvWriter for
/// those options. Records are written synchronously; only flushing the buffer awaits, so a row costs no
/// async call. Every other set of options (other modes, injection handling, null text, comments, ...)
/// goes through CsvWriter: <see cref="Supports"/> says which.
/// </summary>
internal sealed class Utf8CsvRecordWriter : IAsyncDisposable
{
    // Rows are flushed once this much is buffered; the buffer is twice that, so a typical row never grows it.
    private const int FlushSize = 1 << 16;
    private static readonly byte[] ByteOrderMark = [0xEF, 0xBB, 0xBF];

    private readonly Stream _destination;
    private readonly byte _separator;
    private readonly bool _always;
    private readonly bool _crlf;
    private readonly SearchValues<char> _special;
    private readonly bool _validateFieldCount;
    private long _records;
    private int _fieldCount;
    private byte[] _buffer;
    private int _length;
    private bool _disposed;

    private Utf8CsvRecordWriter(Stream destination, CsvWriterOptions options)
    {
        _destination = destination;
        _separator = (byte)options.Separator;
        _always = options.Quoting == CsvQuoting.Always;
        _crlf = options.NewLine == "\r\n";
        _special = SearchValues.Create([options.Separator, '"', '\r', '\n']);
        _validateFieldCount = options.ValidateFieldCount;
        _buffer = ArrayPool<byte>.Shared.Rent(2 * FlushSize);
        if (options.WriteByteOrderMark)
        {
            ByteOrderMark.CopyTo(_buffer, 0);
            _length = ByteOrderMark.Length;
        }
    }

    /// <summary>Whether the buffer holds enough to be written to the destination (<see cref="FlushBufferAsync"/>).</summary>
    public bool IsFull => _length >= FlushSize;

    /// <summary>Whether this writer writes the same bytes as CsvWriter would for <paramref name="options"/> (UTF-8 output assumed).</summary>
    public static bool Supports(CsvWriterOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return options.Mode == CsvMode.Rfc4180
            && options.Quoting is CsvQuoting.WhenNeeded or CsvQuoting.Always
            && options.Separator is > '\0' and <= '\x7F' and not ('"' or '\r' or '\n')
            && options.NewLine is "\r\n" or "\n"
            && options.ShouldQuote is null
            && options.NullValue is null
            && options.CommentPrefix is null
            && options.Injection == CsvInjection.None;
    }

    /// <summary>A writer to <paramref name="destination"/> (left open) for options that <see cref="Supports"/> accepts.</summary>
    public static Utf8CsvRecordWriter Create(Stream destination, CsvWriterOptions options)
    {
        ArgumentNullException.ThrowIfNull(destination);
        if (!Supports(options)) throw new ArgumentException("These options need CsvWriter.", nameof(options));
        return new Utf8CsvRecordWriter(destination, options);
    }

    /// <summary>Writes one record of the given fields.</summary>
    public void WriteRecord(IReadOnlyList<string> fields)
    {
        ArgumentNullException.ThrowIfNull(fields);
        ObjectDisposedException.ThrowIf(_disposed, this);
        StartRecord(fields.Count);
        var buffer = _buffer;
        var at = _length;
        for (var i = 0; i < fields.Count; i++) at = WriteField(ref buffer, at, fields[i], i == 0);
        _length = at;
        EndRecord(fields.Count == 1 && string.IsNullOrEmpty(fields[0]));
    }

    /// <summary>
    /// Writes one record: field i is <c>values[map[i]]</c>, or null (an empty field) when that index is beyond
    /// <paramref name="values"/>, as <see cref="Data.Record"/>'s indexer reads it.
    /// </summary>
    public void WriteRecord(string?[] values, int[] map)
    {
        ArgumentNullException.ThrowIfNull(values);
        ArgumentNullException.ThrowIfNull(map);
        ObjectDisposedException.ThrowIf(_disposed, this);
        StartRecord(map.Length);
        var buffer = _buffer;
        var at = _length;
        for (var i = 0; i < map.Length; i++)
        {
            var index = map[i];
            at = WriteField(ref buffer, at, (uint)index < (uint)values.Length ? values[index] : null, i == 0);
        }
        _length = at;
        EndRecord(map.Length == 1 && string.IsNullOrEmpty((uint)map[0] < (uint)values.Length ? values[map[0]] : null));
    }

    /// <summary>Writes the buffered records to the destination (without flushing it).</summary>
    public async ValueTask FlushBufferAsync(CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (_length == 0) return;
        await _destination.WriteAsync(_buffer.AsMemory(0, _length), cancellationToken).ConfigureAwait(false);
        _length = 0;
        if (_buffer.Length > 2 * FlushSize)
        {
            // A very long field grew the buffer: go back to the usual size.
            ArrayPool<byte>.Shared.Return(_buffer);
            _buffer = ArrayPool<byte>.Shared.Rent(2 * FlushSize);
        }
    }

    /// <summary>Writes what is buffered, flushes the destination (which stays open) and returns the buffer.</summary>
    public async ValueTask DisposeAsync()
    {
        if (_disposed) return;
        try
        {
            await FlushBufferAsync(CancellationToken.None).ConfigureAwait(false);
            await _destination.FlushAsync(CancellationToken.None).ConfigureAwait(false);
        }
        finally
        {
            _disposed = true;
            ArrayPool<byte>.Shared.Return(_buffer);
            _buffer = [];
        }
    }

    /// <summary>
    /// Writes a field at <paramref name="at"/> of <paramref name="buffer"/> (the record's buffer and position, kept in
    /// the caller's locals for the whole record; <see cref="_length"/> is set only when the buffer must grow) and
    /// returns the position after it.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private int WriteField(ref byte[] buffer, int at, string? value, bool first)
    {
        var text = value.AsSpan();
        // Separator, quotes and every UTF-16 unit as up to 3 bytes (a doubled quote takes 2).
        if (buffer.Length - at < 3 + (3L * text.Length))
        {
            _length = at;
            Grow(3 + (3L * text.Length));
            buffer = _buffer;
        }
        if (!first) buffer[at++] = _separator;
        if (_always) buffer[at++] = (byte)'"';
        if (TryPlainAscii(text, buffer.AsSpan(at)))
        {
            at += text.Length;
            if (_always) buffer[at++] = (byte)'"';
            return at;
        }
        if (_always) at--;
        return at + WriteOther(text, buffer.AsSpan(at));
    }

    // The usual field: ASCII without a separator, quote, CR or LF, copied a byte per char. Short fields are
    // read as two overlapping pieces (the first and the last 4 or 2 chars), longer ones as vectors of 8 chars,
    // the last one overlapping the one before, so there is no loop per char. Up to 8 bytes beyond the field
    // may be written (within the room reserved for it); the next field overwrites them.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private bool TryPlainAscii(ReadOnlySpan<char> text, Span<byte> destination)
    {
        var length = (nuint)text.Length;
        ref var source = ref Unsafe.As<char, ushort>(ref MemoryMarshal.GetReference(text));
        ref var target = ref MemoryMarshal.GetReference(destination);
        if (!Vector128.IsHardwareAccelerated) return TryPlainAsciiScalar(ref source, length, ref target);
        if (length >= 8)
        {
            var last = length - 8;
            var found = Vector128<ushort>.Zero;
            Vector128<ushort> chars;
            for (nuint i = 0; i < last; i += 8)
            {
                chars = Vector128.LoadUnsafe(ref source, i);
                found |= Special(chars);
                Vector128.Narrow(chars, chars).StoreUnsafe(ref target, i);
            }
            chars = Vector128.LoadUnsafe(ref source, last);
            found |= Special(chars);
            Vector128.Narrow(chars, chars).StoreUnsafe(ref target, last);
            return found == Vector128<ushort>.Zero;
        }
        if (length >= 4)
        {
            var chars = Vector128.Create(Read<ulong>(ref source, 0), Read<ulong>(ref source, length - 4)).AsUInt16();
            var bytes = Vector128.Narrow(chars, chars).AsUInt32();
            Unsafe.WriteUnaligned(ref target, bytes.ToScalar());
            Unsafe.WriteUnaligned(ref Unsafe.Add(ref target, length - 4), bytes.GetElement(1));
            return Special(chars) == Vector128<ushort>.Zero;
        }
        if (length >= 2)
        {
            // The lanes above the 4 chars are zero, which is never special (the separator is not NUL).
            var chars = Vector128.CreateScalar(Read<uint>(ref source, 0) | ((ulong)Read<uint>(ref source, length - 2) << 32)).AsUInt16();
            var bytes = Vector128.Narrow(chars, chars).AsUInt16();
            Unsafe.WriteUnaligned(ref target, bytes.ToScalar());
            Unsafe.WriteUnaligned(ref Unsafe.Add(ref target, length - 2), bytes.GetElement(1));
            return Special(chars) == Vector128<ushort>.Zero;
        }
        return TryPlainAsciiScalar(ref source, length, ref target);
    }

    private static T Read<T>(ref ushort source, nuint index) where T : unmanaged =>
        Unsafe.ReadUnaligned<T>(ref Unsafe.As<ushort, byte>(ref Unsafe.Add(ref source, index)));

    // Non-zero in the lanes of a non-ASCII char, the separator, a quote, CR or LF.
    private Vector128<ushort> Special(Vector128<ushort> chars) =>
        (chars & Vector128.Create((ushort)0xFF80))
        | Vector128.Equals(chars, Vector128.Create((ushort)_separator))
        | Vector128.Equals(chars, Vector128.Create((ushort)'"'))
        | Vector128.Equals(chars, Vector128.Create((ushort)'\r'))
        | Vector128.Equals(chars, Vector128.Create((ushort)'\n'));

    private bool TryPlainAsciiScalar(ref ushort source, nuint length, ref byte target)
    {
        for (nuint i = 0; i < length; i++)
        {
            var c = Unsafe.Add(ref source, i);
            if (c >= 0x80 || c == _separator || c is '"' or '\r' or '\n') return false;
            Unsafe.Add(ref target, i) = (byte)c;
        }
        return true;
    }

    // Fields that need quotes (or all, with Quoting always) and non-ASCII text: returns the bytes written.
    private int WriteOther(ReadOnlySpan<char> text, Span<byte> destination)
    {
        if (!_always && !text.ContainsAny(_special)) return Transcode(text, destination);
        var at = 0;
        destination[at++] = (byte)'"';
        int quote;
        while ((quote = text.IndexOf('"')) >= 0)
        {
            at += Transcode(text[..quote], destination[at..]);
            destination[at++] = (byte)'"';
            destination[at++] = (byte)'"';
            text = text[(quote + 1)..];
        }
        at += Transcode(text, destination[at..]);
        destination[at++] = (byte)'"';
        return at;
    }

    // Invalid UTF-16 (a lone surrogate) becomes U+FFFD, as CsvWriter writes it. A quote never splits a
    // surrogate pair, so transcoding the text between quotes piece by piece gives the same bytes.
    private static int Transcode(ReadOnlySpan<char> text, Span<byte> destination)
    {
        Utf8.FromUtf16(text, destination, out _, out var written, replaceInvalidSequences: true, isFinalBlock: true);
        return written;
    }

    private void EndRecord(bool onlyFieldEmpty)
    {
        Reserve(4);
        var buffer = _buffer;
        var at = _length;
        // A record of one empty field would read as an empty line: RFC 4180 mode writes it as "".
        if (onlyFieldEmpty && !_always)
        {
            buffer[at++] = (byte)'"';
            buffer[at++] = (byte)'"';
        }
        if (_crlf) buffer[at++] = (byte)'\r';
        buffer[at++] = (byte)'\n';
        _length = at;
    }

    // Refuses a record as CsvWriter does, before any of it is written.
    private void StartRecord(int fields)
    {
        if (fields == 0) throw new InvalidOperationException("A CSV record must contain at least one field.");
        if (_records++ == 0) _fieldCount = fields;
        else if (fields != _fieldCount && _validateFieldCount)
        {
            _records--;
            throw new InvalidOperationException(
                $"Record {_records + 1} has {fields} fields but the first record has {_fieldCount}. " +
                "RFC 4180 requires the same number of fields in every record (set ValidateFieldCount = false to allow it).");
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void Reserve(long bytes)
    {
        if (_buffer.Length - _length < bytes) Grow(bytes);
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private void Grow(long bytes)
    {
        var size = _length + bytes;
        if (size > Array.MaxLength) throw new InvalidOperationException("A CSV record is too long to write.");
        var larger = ArrayPool<byte>.Shared.Rent((int)Math.Min(Array.MaxLength, Math.Max(size, 2L * _buffer.Length)));
        _buffer.AsSpan(0, _length).CopyTo(larger);
        ArrayPool<byte>.Shared.Return(_buffer);
        _buffer = larger;
    }
}
