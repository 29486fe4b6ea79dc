using ConnectPlus.Engine.Catalog;
using ConnectPlus.Engine.Expressions;
using ConnectPlus.Engine.Runtime;

namespace ConnectPlus.Engine.Blocks.Transform;

/// <summary>
/// Shapes rows: picks, renames, reorders and drops columns, adds constants and computes columns
/// with formulas. A row whose formula fails goes to 'rejected' with the reason; the others go on.
/// </summary>
[Block("map", 1, "Map", BlockCategory.Transform, Icon = "transform")]
[Input("records", PortKind.Records, Description = "Rows to shape.")]
[Output("records", PortKind.Records, Description = "Rows with the output columns, in the listed order.")]
[Output("rejected", PortKind.Records, Rejected = true, Description = "Rows whose formula failed, with the reason.")]
public sealed class MapBlock : Block<MapSettings>
{
    /// <summary>Code of rows rejected because a formula failed on them.</summary>
    public const string FormulaErrorCode = "FORMULA";

    /// <inheritdoc />
    public override async Task RunAsync(BlockContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        var columns = MapPlan.Compile(Settings);
        var environment = new FormulaEnvironment { Time = context.Time };
        var output = new RecordOutput(context, "records");
        MapPlan? plan = null;
        await foreach (var batch in context.ReadRecordsAsync("records", cancellationToken).ConfigureAwait(false))
        {
            if (batch.Count == 0) continue;
            if (plan is null || !plan.Input.SameColumns(batch.Schema))
                plan = MapPlan.For(columns, Settings.KeepOtherColumns, batch.Schema, environment, batch.Rows[0].Source.File);
            foreach (var row in batch.Rows)
            {
                if (plan.TryApply(row, out var mapped, out var error))
                    await output.AddAsync(plan.Output, mapped, cancellationToken).ConfigureAwait(false);
                else
                    await context.RejectAsync(batch.Schema, row, FormulaErrorCode, error!, cancellationToken).ConfigureAwait(false);
            }
        }
        await output.FlushAsync(cancellationToken).ConfigureAwait(false);
    }
}
