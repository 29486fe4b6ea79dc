using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using CsvHelper;

namespace ConnectPlus.Engine.Blocks.Csv;

/// <summary>
/// Gives the string of a field of the current CSV record, giving again a string made before when the
/// field's bytes are the same. CSV columns repeat: a bill's lines repeat its number, date and customer,
/// and store codes, payment modes, item codes and names, quantities and prices come from short lists.
/// Each column keeps the value it gave last (a bill's next line mostly repeats it) and a direct-mapped
/// table of the values it made (the slot is chosen by a hash of the bytes), each value's bytes (up to
/// <see cref="MaxCachedLength"/>, packed with the length in three words) beside its string, so a
/// repeated value costs a few compares instead of a new string, and a slot that holds another value is
/// told without reading its string. A column whose table finds many values again but still misses often
/// (a catalog of a few thousand items) gets a larger table, up to <see cref="MaxSlots"/>. A column whose
/// values seldom repeat (an id, an amount) stops looking for a while, so it pays next to nothing.
/// </summary>
/// <remarks>
/// The string given is always equal to <see cref="CsvReader.GetString(int)"/>'s: a cached one only for
/// the very bytes it was made from (which the reader decodes as UTF-8, the same way every time), else the reader's.
/// </remarks>
internal sealed class CsvValueCache
{
    // A column's table starts with 256 slots, enough for the short lists most columns draw from, and
    // grows 4 times at a time up to MaxSlots: the tables of a wide file stay in the CPU's cache.
    private const int InitialBits = 8;
    private const int MaxBits = 10;

    /// <summary>The most slots a column's table grows to.</summary>
    internal const int MaxSlots = 1 << MaxBits;

    /// <summary>Values longer than this are not looked up: three 8-byte words hold the bytes and the length of a shorter one.</summary>
    internal const int MaxCachedLength = 23;

    // A column is judged on its last Window lookups: when fewer than one in MinHitShare gave a string
    // again, it stops looking for Pause values, then looks again (the file may change). When its table
    // gave one in MinHitShare again and still more than one in MaxMissShare was made, the table grows.
    internal const int Window = 1024;
    private const int MinHitShare = 16;
    private const int MaxMissShare = 8;
    internal const int Pause = 16 * 1024;

    // Columns past this many are not looked up: a file of thousands of columns would otherwise take megabytes of tables.
    private const int MaxColumns = 128;

    private readonly Column[] _columns;

    public CsvValueCache(int width)
    {
        var cached = Math.Min(width, MaxColumns);
        _columns = new Column[cached];
        for (var i = 0; i < cached; i++)
        {
            _columns[i].Left = Window;
            _columns[i].Table = new Entry[1 << InitialBits];
            _columns[i].Shift = 64 - InitialBits;
        }
    }

    // A value's bytes and length (see Key), and its string; 32 bytes. An empty slot has a null Value.
    private struct Entry
    {
        public ulong A, B, C;
        public string? Value;
    }

    private struct Column
    {
        public Entry Last;     // the value given last
        public Entry[] Table;
        public int Shift;      // 64 - log2(Table.Length): the hash's top bits choose the slot
        public int Left;       // lookups left in this window (looking), or values left to pass over (paused)
        public int Hits;
        public int TableHits;
        public bool Paused;
    }

    /// <summary>The number of slots of a column's table (for the tests).</summary>
    internal int SlotsOf(int column) => _columns[column].Table.Length;

    /// <summary>The value of a field of the reader's current record (column: its index), equal to <see cref="CsvReader.GetString(int)"/>'s.</summary>
    public string Get(CsvReader csv, int column)
    {
        var columns = _columns;
        if ((uint)column >= (uint)columns.Length) return csv.GetString(column);
        ref var state = ref columns[column];
        if (state.Paused)
        {
            if (--state.Left <= 0)
            {
                state.Paused = false;
                state.Left = Window;
                state.Hits = 0;
                state.TableHits = 0;
            }
            return csv.GetString(column);
        }
        var bytes = csv.GetSpan(column);
        var n = bytes.Length;
        // Empty and one-byte values: the reader gives shared strings itself.
        if ((uint)(n - 2) > MaxCachedLength - 2) return csv.GetString(column);
        ref var p = ref MemoryMarshal.GetReference(bytes);
        // The key: every byte of the value, in a, b and the low 7 bytes of c, and its length in c's top byte,
        // so values of different lengths never match. Every read below is inside the n bytes.
        ulong a, b = 0, c = (ulong)n << 56;
        if (n >= 8)
        {
            // The first and last 8 bytes; for 17 to 23 bytes, bytes 8 to 14 too (the last 8 start at 15 at most).
            a = Unsafe.ReadUnaligned<ulong>(ref p);
            b = Unsafe.ReadUnaligned<ulong>(ref Unsafe.Add(ref p, n - 8));
            if (n > 16) c |= Unsafe.ReadUnaligned<ulong>(ref Unsafe.Add(ref p, 8)) & 0x00FF_FFFF_FFFF_FFFFUL;
        }
        else if (n >= 4)
        {
            a = Unsafe.ReadUnaligned<uint>(ref p) | ((ulong)Unsafe.ReadUnaligned<uint>(ref Unsafe.Add(ref p, n - 4)) << 32);
        }
        else
        {
            a = p | ((ulong)Unsafe.Add(ref p, 1) << 8) | ((ulong)Unsafe.Add(ref p, n - 1) << 16);
        }
        string value;
        if (state.Last.A == a && state.Last.B == b && state.Last.C == c && state.Last.Value is { } last)
        {
            state.Hits++;
            value = last;
        }
        else
        {
            var hash = (a ^ BitOperations.RotateLeft(b, 29) ^ BitOperations.RotateLeft(c, 47)) * 0x9E3779B97F4A7C15UL;
            // The top bits of the hash, fewer than the table's length: no bounds check needed.
            ref var entry = ref Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(state.Table), (nint)(hash >> state.Shift));
            if (entry.A == a && entry.B == b && entry.C == c && entry.Value is { } found)
            {
                state.Hits++;
                state.TableHits++;
                value = found;
            }
            else
            {
                value = csv.GetString(column);
                entry.A = a;
                entry.B = b;
                entry.C = c;
                entry.Value = value;
            }
            state.Last.A = a;
            state.Last.B = b;
            state.Last.C = c;
            state.Last.Value = value;
        }
        if (--state.Left == 0) EndWindow(ref state);
        return value;
    }

    private static void EndWindow(ref Column state)
    {
        state.Paused = state.Hits * MinHitShare < Window;
        if (!state.Paused && state.TableHits * MinHitShare >= Window && (Window - state.Hits) * MaxMissShare >= Window && state.Table.Length < MaxSlots)
        {
            state.Shift -= 2;
            state.Table = new Entry[1 << (64 - state.Shift)];
        }
        state.Left = state.Paused ? Pause : Window;
        state.Hits = 0;
        state.TableHits = 0;
    }
}
