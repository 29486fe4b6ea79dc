using ConnectPlus.Engine.Data;

namespace ConnectPlus.Engine.Blocks.Join;

/// <summary>
/// The output columns of a join: input1's columns, then those of input2, input3 and input4 (without their
/// key columns unless they are kept). A name that more than one input brings (ignoring case) gets each such
/// input's prefix; a name still taken after that gets _2, _3, ….
/// </summary>
internal sealed class JoinLayout
{
    private JoinLayout(RecordSchema schema, int[][] maps, int[] input1Keys)
    {
        Schema = schema;
        Maps = maps;
        Input1KeyPositions = input1Keys;
    }

    /// <summary>The output columns.</summary>
    public RecordSchema Schema { get; }

    /// <summary>Per input, per column: its output position, or -1 when left out.</summary>
    public int[][] Maps { get; }

    /// <summary>Output positions of input1's key columns.</summary>
    public int[] Input1KeyPositions { get; }

    public static JoinLayout Create(IReadOnlyList<JoinInputShape> inputs, IReadOnlyList<string> prefixes, bool keepJoinedKeys)
    {
        var taken = new List<(int Input, int Column, string Name)>();
        foreach (var input in inputs)
        {
            var keys = input.KeyColumns.ToHashSet();
            for (var c = 0; c < input.Columns.Count; c++)
            {
                if (input.Index > 0 && !keepJoinedKeys && keys.Contains(c)) continue;
                taken.Add((input.Index, c, input.Columns.Columns[c]));
            }
        }
        var inputsPerName = taken.GroupBy(t => t.Name, StringComparer.OrdinalIgnoreCase)
            .ToDictionary(g => g.Key, g => g.Select(t => t.Input).Distinct().Count(), StringComparer.OrdinalIgnoreCase);
        var names = RecordSchema.MakeUnique(taken.Select(t => inputsPerName[t.Name] > 1 ? prefixes[t.Input] + t.Name : t.Name));
        var maps = inputs.Select(i => Enumerable.Repeat(-1, i.Columns.Count).ToArray()).ToArray();
        for (var position = 0; position < taken.Count; position++)
            maps[taken[position].Input][taken[position].Column] = position;
        var input1Keys = inputs[0].KeyColumns.Select(c => maps[0][c]).ToArray();
        return new JoinLayout(new RecordSchema(names), maps, input1Keys);
    }
}
