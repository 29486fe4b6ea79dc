using ConnectPlus.Engine.Catalog;
using ConnectPlus.Engine.Runtime;

namespace ConnectPlus.Engine.Blocks.Join;

/// <summary>
/// Joins two to four record inputs on a key, like joining data files: input1 is the left table; input2
/// joins it, input3 joins that result and input4 the next, each pair inner, left outer (the default),
/// right outer or full outer. Rows with the same key on both sides give every combination. The output has
/// input1's columns, then those of the other inputs; a column name that several inputs bring gets each one's
/// prefix (in1_, in2_, …).
/// </summary>
/// <remarks>
/// <para>
/// How it runs (build side right, the default): inputs 2–4 are read completely, at the same time, into
/// compact hash tables (<see cref="PackedRowTable"/>: about the rows' text plus 30 bytes a row); then input1
/// streams through the tables and the output goes out batch by batch, so input1 is never held. A pair with
/// build side left holds the rows so far instead and streams its joined input; the result is the same rows.
/// After the stream, the held rows that an outer join keeps but nothing matched come out (in their input
/// order) and go on through the later pairs. If the held inputs stall while the streamed input has rows
/// waiting — one upstream block feeding both sides — the streamed rows are read ahead into a spill file
/// in the work folder so nothing deadlocks.
/// </para>
/// <para>
/// One key for all: each input names its key columns (same count, matched by position), and input3 and
/// input4 join on the key of the rows so far — input1's key, or that of the input that supplied a row input1
/// had no match for. With Keep joined keys off, the key columns of inputs 2–4 are left out and input1's key
/// columns carry that key on every row.
/// </para>
/// <para>
/// Order: the streamed rows' order, combinations in held-input order; then unmatched held rows. Each row
/// keeps the origin (file, line) of its input1 row, or of the first input that supplied it.
/// Rejected: only rows with an empty key when Empty keys is reject (code JOIN_EMPTY_KEY); an unmatched row
/// is a join result, not an error.
/// </para>
/// </remarks>
[Block("join", 1, "Join", BlockCategory.Transform, Icon = "join_left")]
[Input("input1", PortKind.Records, Description = "The left table; its rows stream through (build side right).")]
[Input("input2", PortKind.Records, Description = "Joins input1 (held in memory with build side right).")]
[Input("input3", PortKind.Records, Required = false, Description = "Joins the result of input1 and input2.")]
[Input("input4", PortKind.Records, Required = false, Description = "Joins the result of the first three.")]
[Output("records", PortKind.Records, Description = "The joined rows.")]
[Output("rejected", PortKind.Records, Rejected = true, Description = "Rows with an empty key when Empty keys is reject.")]
public sealed class JoinBlock : Block<JoinSettings>
{
    /// <inheritdoc />
    public override async Task RunAsync(BlockContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        using var run = new JoinRun(Settings, context);
        await run.ExecuteAsync(cancellationToken).ConfigureAwait(false);
    }
}
