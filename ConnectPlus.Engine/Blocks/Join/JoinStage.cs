namespace ConnectPlus.Engine.Blocks.Join;

/// <summary>
/// One hashed side in the chain a streamed row runs through: its rows, where their columns go in the
/// output, and which unmatched rows the join type keeps (those of the streamed side at once, those of the
/// held side after the stream ended).
/// </summary>
internal sealed class JoinStage
{
    private readonly int[] _positions;

    public JoinStage(string name, PackedRowTable table, int[] map, int[] rawKeyColumns, bool keepUnmatchedStreamed, bool keepUnmatchedHeld)
    {
        table.BuildIndex();
        Name = name;
        Table = table;
        Map = map;
        RawKeyColumns = rawKeyColumns;
        KeepUnmatchedStreamed = keepUnmatchedStreamed;
        KeepUnmatchedHeld = keepUnmatchedHeld;
        _positions = [.. map.Where(p => p >= 0)];
    }

    /// <summary>What the rows are, for the log (e.g. "input2").</summary>
    public string Name { get; }

    public PackedRowTable Table { get; }

    /// <summary>Per stored column, its output position (-1: left out).</summary>
    public int[] Map { get; }

    /// <summary>Stored columns that hold the key as it came (for input1's key columns of rows without input1).</summary>
    public int[] RawKeyColumns { get; }

    /// <summary>A streamed row without a match here goes on with this side's columns empty.</summary>
    public bool KeepUnmatchedStreamed { get; }

    /// <summary>A held row that nothing matched comes out after the stream, with the other columns empty.</summary>
    public bool KeepUnmatchedHeld { get; }

    public void Fill(int row, string?[] target) => Table.Decode(row, Map, target);

    public void Clear(string?[] target)
    {
        foreach (var position in _positions) target[position] = null;
    }

    /// <summary>Stage flags for a pair: <paramref name="heldIsLeft"/> when the rows so far are held and the joined input streams.</summary>
    public static (bool KeepStreamed, bool KeepHeld) Keeps(JoinType type, bool heldIsLeft)
    {
        var keepLeft = type is JoinType.LeftOuter or JoinType.FullOuter;
        var keepRight = type is JoinType.RightOuter or JoinType.FullOuter;
        return heldIsLeft ? (keepRight, keepLeft) : (keepLeft, keepRight);
    }
}
