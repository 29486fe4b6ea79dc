using System.Buffers.Binary;
using System.Numerics;
using CsvHelper;

namespace ConnectPlus.Engine.Blocks.Csv;

/// <summary>
/// Gives the string of a field of the current CSV record, giving again a string made before when the
/// field's bytes are the same. CSV columns repeat: a bill's lines repeat its number, date and customer,
/// and store codes, payment modes, item codes and names, quantities and prices come from short lists.
/// Each column has a small direct-mapped table of the values it made last (the slot is chosen by a hash
/// of the bytes), holding each value's bytes (up to <see cref="MaxCachedLength"/>, packed in three
/// words) beside its string, so a repeated value costs a few compares instead of a new string, and a
/// slot that holds another value is told without reading its string. A column whose values seldom
/// repeat (an id, an amount) stops looking for a while, so it pays next to nothing.
/// </summary>
/// <remarks>
/// The string given is always equal to <see cref="CsvReader.GetString(int)"/>'s: a cached one only for
/// the very bytes it was made from (which the reader decodes as UTF-8, the same way every time), else the reader's.
/// </remarks>
internal sealed class CsvValueCache
{
    // 256 slots per column: enough for the short lists columns draw from (a catalog's item names, a
    // chain's stores), small enough that the tables of a wide file stay in the CPU's cache.
    private const int SlotBits = 8;
    private const int Slots = 1 << SlotBits;

    /// <summary>Values longer than this are not looked up: three 8-byte words hold the bytes of a shorter one.</summary>
    internal const int MaxCachedLength = 24;

    // A column is judged on its last Window lookups: when fewer than one in MinHitShare gave a string
    // again, it stops looking for Pause values, then looks again (the file may change).
    internal const int Window = 1024;
    private const int MinHitShare = 16;
    internal const int Pause = 16 * 1024;

    // Columns past this many are not looked up: a file of thousands of columns would otherwise take megabytes of tables.
    private const int MaxColumns = 128;

    private readonly Entry[] _entries;
    private readonly Column[] _columns;

    public CsvValueCache(int width)
    {
        var cached = Math.Min(width, MaxColumns);
        _entries = new Entry[cached * Slots];
        _columns = new Column[cached];
        for (var i = 0; i < cached; i++) _columns[i].Left = Window;
    }

    private struct Entry
    {
        public ulong A, B, C;
        public int Length;
        public string? Value;
    }

    private struct Column
    {
        public int Left;   // lookups left in this window (looking), or values left to pass over (paused)
        public int Hits;
        public bool Paused;
    }

    /// <summary>The value of a field of the reader's current record (column: its index), equal to <see cref="CsvReader.GetString(int)"/>'s.</summary>
    public string Get(CsvReader csv, int column)
    {
        if (column >= _columns.Length) return csv.GetString(column);
        ref var state = ref _columns[column];
        if (state.Paused)
        {
            if (--state.Left <= 0)
            {
                state.Paused = false;
                state.Left = Window;
                state.Hits = 0;
            }
            return csv.GetString(column);
        }
        var bytes = csv.GetSpan(column);
        var n = bytes.Length;
        if (n is 0 or > MaxCachedLength) return csv.GetString(column);
        ulong a, b = 0, c = 0;
        if (n >= 8)
        {
            // The first and last 8 bytes, and for a longer value the middle 8: together every byte.
            a = BinaryPrimitives.ReadUInt64LittleEndian(bytes);
            b = BinaryPrimitives.ReadUInt64LittleEndian(bytes[(n - 8)..]);
            if (n > 16) c = BinaryPrimitives.ReadUInt64LittleEndian(bytes[(n / 2 - 4)..]);
        }
        else if (n >= 4)
        {
            a = BinaryPrimitives.ReadUInt32LittleEndian(bytes) | ((ulong)BinaryPrimitives.ReadUInt32LittleEndian(bytes[(n - 4)..]) << 32);
        }
        else
        {
            a = bytes[0] | ((ulong)bytes[n / 2] << 8) | ((ulong)bytes[n - 1] << 16);
        }
        var hash = (a ^ BitOperations.RotateLeft(b, 29) ^ BitOperations.RotateLeft(c, 47) ^ (ulong)n) * 0x9E3779B97F4A7C15UL;
        ref var entry = ref _entries[(column << SlotBits) | (int)(hash >> (64 - SlotBits))];
        string value;
        if (entry.A == a && entry.B == b && entry.C == c && entry.Length == n && entry.Value is { } found)
        {
            state.Hits++;
            value = found;
        }
        else
        {
            value = csv.GetString(column);
            entry.A = a;
            entry.B = b;
            entry.C = c;
            entry.Length = n;
            entry.Value = value;
        }
        if (--state.Left == 0)
        {
            state.Paused = state.Hits * MinHitShare < Window;
            state.Left = state.Paused ? Pause : Window;
            state.Hits = 0;
        }
        return value;
    }
}
