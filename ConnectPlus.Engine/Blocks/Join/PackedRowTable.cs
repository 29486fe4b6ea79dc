using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics.X86;
using System.Text;
using ConnectPlus.Engine.Data;

namespace ConnectPlus.Engine.Blocks.Join;

/// <summary>
/// The rows of the side of a join that is held in memory, packed for a small footprint: each row is one
/// run of bytes inside a 1 MB chunk — its key, its origin, then each value as UTF-8 behind a length — so
/// a row costs its text plus about 30 bytes, with no object per row or per value. The hash index is
/// arrays: buckets of row numbers, and per row one 24-byte entry (address, hash, next distinct key in the
/// bucket, next row with the same key — in input order —, matched flag) so a probe touches few cache lines.
/// </summary>
/// <remarks>
/// Row layout: varint(key length + 1, 0 = key that matches nothing), key bytes, varint(file index),
/// varint(line), then per column a varint tag: 0 for null, 2n + 1 for text of n UTF-8 bytes (which follow),
/// 2n + 2 for value n of the column's <see cref="RepeatedValues"/> (values that repeat are kept once as strings,
/// so decoding them costs no UTF-8 work and no allocation).
/// Text is UTF-8 encoded, so a lone UTF-16 surrogate (which no decoded text file contains) would not survive.
/// </remarks>
internal sealed class PackedRowTable
{
    private const int ChunkSize = 1 << 20;
    private const int BuildPrefetchDistance = 8;
    private readonly RepeatedValues[] _repeated;
    private readonly List<byte[]> _chunks = [];
    private readonly List<string?> _files = [null];
    private readonly Dictionary<string, int> _fileIndex = new(StringComparer.Ordinal);
    private byte[] _chunk = [];
    private int _used;
    private RowEntry[] _rows = new RowEntry[256];
    private string? _lastFile;
    private int _lastFileIndex;
    private int[] _buckets = [];
    private int _mask;

    public PackedRowTable(int columnCount)
    {
        ColumnCount = columnCount;
        _repeated = new RepeatedValues[columnCount];
        for (var c = 0; c < columnCount; c++) _repeated[c] = new RepeatedValues();
    }

    /// <summary>Values stored per row.</summary>
    public int ColumnCount { get; }

    /// <summary>Rows held.</summary>
    public int Count { get; private set; }

    /// <summary>Whether <see cref="BuildIndex"/> has run.</summary>
    public bool Indexed { get; private set; }

    /// <summary>Bytes held by the rows and the index.</summary>
    public long MemoryBytes =>
        _chunks.Sum(c => (long)c.Length) + _rows.Length * (long)System.Runtime.CompilerServices.Unsafe.SizeOf<RowEntry>() + _buckets.Length * 4L
        + _repeated.Sum(r => r.MemoryBytes);

    /// <summary>Adds a row: its encoded key (ignored when <paramref name="matchable"/> is false), the first
    /// <see cref="ColumnCount"/> values (missing ones are null) and its origin.</summary>
    public void Add(ReadOnlySpan<byte> key, bool matchable, string?[] values, SourceRef source)
    {
        if (Indexed) throw new InvalidOperationException("The table is indexed; rows can no longer be added.");
        var fileIndex = FileIndex(source.File);
        var worst = 25 + (matchable ? key.Length : 0);
        for (var c = 0; c < ColumnCount; c++)
            worst += 5 + 3 * ((uint)c < (uint)values.Length ? values[c]?.Length ?? 0 : 0);
        var row = Reserve(worst);
        var pos = 0;
        if (matchable)
        {
            pos += Varint.Write(row, (uint)key.Length + 1);
            key.CopyTo(row[pos..]);
            pos += key.Length;
        }
        else
        {
            row[pos++] = 0;
        }
        pos += Varint.Write(row[pos..], (uint)fileIndex);
        pos += Varint.Write(row[pos..], (ulong)Math.Max(0, source.Line));
        for (var c = 0; c < ColumnCount; c++)
            pos += WriteValue(row[pos..], (uint)c < (uint)values.Length ? values[c] : null, _repeated[c]);
        if (Count == _rows.Length) Array.Resize(ref _rows, _rows.Length * 2);
        _rows[Count++].Address = ((long)(_chunks.Count - 1) << 32) | (uint)_used;
        _used += pos;
    }

    /// <summary>Builds the hash index over the rows added (rows sharing a key chain in input order).</summary>
    public void BuildIndex()
    {
        if (Indexed) return;
        Indexed = true;
        var n = Count;
        Array.Resize(ref _rows, Math.Max(n, 1));
        var size = 16;
        while (size < n) size <<= 1;
        _buckets = new int[size];
        Array.Fill(_buckets, -1);
        _mask = size - 1;
        // Hashes first, so that the buckets of the rows a few places on can be prefetched below.
        for (var r = 0; r < n; r++) _rows[r].Hash = TryGetKey(r, out var key) ? Hash(key) : 0;
        // Walking backwards and putting each row ahead of its duplicates keeps duplicates in input order.
        for (var r = n - 1; r >= 0; r--)
        {
            if (r >= BuildPrefetchDistance) Prefetch(_rows[r - BuildPrefetchDistance].Hash, 0);
            if (r >= BuildPrefetchDistance / 2) Prefetch(_rows[r - BuildPrefetchDistance / 2].Hash, 1);
            ref var entry = ref _rows[r];
            entry.ChainNext = -1;
            entry.DuplicateNext = -1;
            if (!TryGetKey(r, out var key)) continue;
            var hash = entry.Hash;
            ref var slot = ref _buckets[hash & _mask];
            while (slot >= 0)
            {
                var head = slot;
                ref var headEntry = ref _rows[head];
                if (headEntry.Hash == hash && key.SequenceEqual(KeyOf(head)))
                {
                    entry.DuplicateNext = head;
                    entry.ChainNext = headEntry.ChainNext;
                    slot = r;
                    goto Next;
                }
                slot = ref headEntry.ChainNext;
            }
            slot = r;
        Next:;
        }
    }

    /// <summary>
    /// Starts loading what a <see cref="Find"/> of <paramref name="hash"/> will read, one step of the chain
    /// per call: step 0 the bucket, step 1 the row entry the bucket names, step 2 the row's bytes. Called
    /// for rows a few places ahead (each step after the previous one had time to arrive), it lets the
    /// probes of a batch overlap their cache misses instead of waiting for each in turn.
    /// </summary>
    public unsafe void Prefetch(int hash, int step)
    {
        if (!Sse.IsSupported || _buckets.Length == 0) return;
        ref var bucket = ref _buckets[hash & _mask];
        if (step == 0)
        {
            Sse.Prefetch0(Unsafe.AsPointer(ref bucket));
            return;
        }
        var row = bucket;
        if (row < 0) return;
        if (step == 1)
        {
            Sse.Prefetch0(Unsafe.AsPointer(ref _rows[row]));
            return;
        }
        var address = _rows[row].Address;
        Sse.Prefetch0(Unsafe.AsPointer(ref _chunks[(int)(address >> 32)][(int)address]));
    }

    /// <summary>The first row whose key equals <paramref name="key"/>, or -1.</summary>
    public int Find(ReadOnlySpan<byte> key, int hash)
    {
        for (var r = _buckets[hash & _mask]; r >= 0; r = _rows[r].ChainNext)
        {
            if (_rows[r].Hash == hash && key.SequenceEqual(KeyOf(r))) return r;
        }
        return -1;
    }

    /// <summary>The next row with the same key as <paramref name="row"/>, or -1.</summary>
    public int NextDuplicate(int row) => _rows[row].DuplicateNext;

    /// <summary>Notes that a row found a partner (outer joins emit the others at the end).</summary>
    public void MarkMatched(int row) => _rows[row].Matched = true;

    /// <summary>Whether a row found a partner.</summary>
    public bool IsMatched(int row) => _rows[row].Matched;

    /// <summary>The row's encoded key; false when the row's key matches nothing.</summary>
    public bool TryGetKey(int row, out ReadOnlySpan<byte> key)
    {
        var span = RowSpan(row);
        var pos = 0;
        var length = (int)Varint.Read(span, ref pos);
        key = length == 0 ? default : span.Slice(pos, length - 1);
        return length != 0;
    }

    /// <summary>Where the row came from.</summary>
    public SourceRef Source(int row)
    {
        var span = RowSpan(row);
        var pos = SkipKey(span);
        var file = _files[(int)Varint.Read(span, ref pos)];
        var line = (long)Varint.Read(span, ref pos);
        return new SourceRef(file, line);
    }

    /// <summary>Writes the row's values to <paramref name="target"/> at the positions <paramref name="map"/>
    /// gives per column (-1: left out).</summary>
    public void Decode(int row, int[] map, string?[] target)
    {
        var span = RowSpan(row);
        var pos = SkipOrigin(span, SkipKey(span));
        for (var c = 0; c < map.Length; c++)
        {
            var tag = (int)Varint.Read(span, ref pos);
            var position = map[c];
            if ((tag & 1) == 0)
            {
                if (position >= 0) target[position] = tag == 0 ? null : _repeated[c][(tag >> 1) - 1];
                continue;
            }
            var length = tag >> 1;
            if (position >= 0) target[position] = length == 0 ? "" : Encoding.UTF8.GetString(span.Slice(pos, length));
            pos += length;
        }
    }

    /// <summary>One value of a row.</summary>
    public string? Value(int row, int column)
    {
        var span = RowSpan(row);
        var pos = SkipOrigin(span, SkipKey(span));
        for (var c = 0; ; c++)
        {
            var tag = (int)Varint.Read(span, ref pos);
            if (c == column)
            {
                if ((tag & 1) == 0) return tag == 0 ? null : _repeated[c][(tag >> 1) - 1];
                return tag == 1 ? "" : Encoding.UTF8.GetString(span.Slice(pos, tag >> 1));
            }
            if ((tag & 1) == 1) pos += tag >> 1;
        }
    }

    /// <summary>Hash of an encoded key (per-process random seed, so crafted keys cannot flood a bucket).</summary>
    public static int Hash(ReadOnlySpan<byte> key)
    {
        var hash = new HashCode();
        hash.AddBytes(key);
        return hash.ToHashCode();
    }

    private ReadOnlySpan<byte> KeyOf(int row)
    {
        TryGetKey(row, out var key);
        return key;
    }

    private ReadOnlySpan<byte> RowSpan(int row)
    {
        var address = _rows[row].Address;
        return _chunks[(int)(address >> 32)].AsSpan((int)address);
    }

    private static int SkipKey(ReadOnlySpan<byte> span)
    {
        var pos = 0;
        var length = (int)Varint.Read(span, ref pos);
        return length == 0 ? pos : pos + length - 1;
    }

    private static int SkipOrigin(ReadOnlySpan<byte> span, int pos)
    {
        Varint.Read(span, ref pos);
        Varint.Read(span, ref pos);
        return pos;
    }

    private Span<byte> Reserve(int bytes)
    {
        if (_chunk.Length - _used < bytes)
        {
            _chunk = GC.AllocateUninitializedArray<byte>(Math.Max(ChunkSize, bytes));
            _chunks.Add(_chunk);
            _used = 0;
        }
        return _chunk.AsSpan(_used);
    }

    private int FileIndex(string? file)
    {
        if (file is null) return 0;
        if (ReferenceEquals(file, _lastFile)) return _lastFileIndex;
        if (!_fileIndex.TryGetValue(file, out var index))
        {
            index = _files.Count;
            _files.Add(file);
            _fileIndex[file] = index;
        }
        _lastFile = file;
        _lastFileIndex = index;
        return index;
    }

    private static int WriteValue(Span<byte> target, string? value, RepeatedValues repeated)
    {
        if (value is null)
        {
            target[0] = 0;
            return 1;
        }
        if (value.Length > 0 && repeated.TryNumber(value, out var number)) return Varint.Write(target, 2 * (uint)number + 2);
        // Encode behind a one-byte tag (the usual case) and shift when the tag needs more bytes.
        var length = Encoding.UTF8.GetBytes(value, target[1..]);
        var tag = 2 * (ulong)length + 1;
        var prefix = Varint.Size(tag);
        if (prefix > 1) target.Slice(1, length).CopyTo(target[prefix..]);
        Varint.Write(target, tag);
        return prefix + length;
    }
}

/// <summary>Per row: where its bytes are, and its links in the hash index.</summary>
internal struct RowEntry
{
    /// <summary>Chunk number (high 32 bits) and offset in the chunk.</summary>
    public long Address;
    public int Hash;

    /// <summary>Next row with another key in the same bucket (-1: none); only heads of duplicate chains are linked.</summary>
    public int ChainNext;

    /// <summary>Next row with the same key (-1: none).</summary>
    public int DuplicateNext;
    public bool Matched;
}

/// <summary>LEB128 unsigned integers: 7 bits a byte, low bits first.</summary>
internal static class Varint
{
    public static int Size(ulong value)
    {
        var size = 1;
        while (value >= 0x80)
        {
            value >>= 7;
            size++;
        }
        return size;
    }

    public static int Write(Span<byte> target, ulong value)
    {
        var i = 0;
        while (value >= 0x80)
        {
            target[i++] = (byte)(value | 0x80);
            value >>= 7;
        }
        target[i++] = (byte)value;
        return i;
    }

    public static ulong Read(ReadOnlySpan<byte> source, ref int pos)
    {
        ulong value = source[pos++];
        if (value < 0x80) return value;
        value &= 0x7F;
        for (var shift = 7; ; shift += 7)
        {
            ulong b = source[pos++];
            value |= (b & 0x7F) << shift;
            if (b < 0x80) return value;
        }
    }
}
