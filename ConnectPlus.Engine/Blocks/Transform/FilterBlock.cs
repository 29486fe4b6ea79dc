using System.Globalization;
using ConnectPlus.Engine.Catalog;
using ConnectPlus.Engine.Data;
using ConnectPlus.Engine.Expressions;
using ConnectPlus.Engine.Runtime;

namespace ConnectPlus.Engine.Blocks.Transform;

/// <summary>
/// Keeps the rows that meet a condition. The others are dropped (and counted in the run log) or
/// sent to 'unmatched'. A row on which the condition fails goes to 'rejected' with the reason.
/// </summary>
[Block("filter", 1, "Filter", BlockCategory.Transform, Icon = "filter_alt")]
[Input("records", PortKind.Records, Description = "Rows to test.")]
[Output("matched", PortKind.Records, Description = "Rows that meet the condition.")]
[Output("unmatched", PortKind.Records, Description = "Rows that do not meet it, when 'Unmatched rows' is 'send to output'.")]
[Output("rejected", PortKind.Records, Rejected = true, Description = "Rows on which the condition failed, with the reason.")]
public sealed class FilterBlock : Block<FilterSettings>
{
    /// <summary>Code of rows rejected because the condition failed on them.</summary>
    public const string FormulaErrorCode = "FORMULA";

    private const string ConditionSetting = "condition";

    /// <inheritdoc />
    public override async Task RunAsync(BlockContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        var condition = CompileCondition(Settings);
        var send = Settings.UnmatchedRows == UnmatchedRows.SendToOutput;
        if (!send && context.IsConnected("unmatched"))
            context.Log(RunLogLevel.Warning, "The 'unmatched' output is linked but 'Unmatched rows' is 'drop': nothing will be sent to it. Set 'Unmatched rows' to 'send to output' to use it.");
        var environment = new FormulaEnvironment { Time = context.Time };
        var matched = new RecordOutput(context, "matched");
        var unmatched = new RecordOutput(context, "unmatched");
        long unmatchedCount = 0;
        BoundFormula? bound = null;
        RecordSchema? boundSchema = null;
        await foreach (var batch in context.ReadRecordsAsync("records", cancellationToken).ConfigureAwait(false))
        {
            if (batch.Count == 0) continue;
            if (boundSchema is null || !boundSchema.SameColumns(batch.Schema))
            {
                bound = Bind(condition, batch.Schema, environment, batch.Rows[0].Source.File);
                boundSchema = batch.Schema;
            }
            foreach (var row in batch.Rows)
            {
                bool meets;
                try
                {
                    meets = bound!.EvaluateCondition(row);
                }
                catch (FormulaException ex)
                {
                    await context.RejectAsync(batch.Schema, row, FormulaErrorCode, ex.Message, cancellationToken).ConfigureAwait(false);
                    continue;
                }
                if (meets)
                {
                    await matched.AddAsync(batch.Schema, row, cancellationToken).ConfigureAwait(false);
                }
                else
                {
                    unmatchedCount++;
                    if (send) await unmatched.AddAsync(batch.Schema, row, cancellationToken).ConfigureAwait(false);
                }
            }
        }
        await matched.FlushAsync(cancellationToken).ConfigureAwait(false);
        await unmatched.FlushAsync(cancellationToken).ConfigureAwait(false);
        LogUnmatched(context, unmatchedCount, send);
    }

    /// <summary>Parses the condition once, before any row.</summary>
    /// <exception cref="BlockException">The condition is not a valid formula.</exception>
    internal static Formula CompileCondition(FilterSettings settings)
    {
        try
        {
            return Formula.Parse(settings.Condition);
        }
        catch (InvalidFormulaException ex)
        {
            throw new BlockException($"Setting '{ConditionSetting}': {ex.Message}", ex) { Setting = ConditionSetting };
        }
    }

    private static BoundFormula Bind(Formula condition, RecordSchema schema, FormulaEnvironment environment, string? file)
    {
        var missing = condition.MissingColumns(schema);
        if (missing.Count == 0) return condition.Bind(schema, environment);
        var where = file is null ? "" : $" (reading {file})";
        throw new BlockException($"Setting '{ConditionSetting}': the condition ({condition.Text}) reads {string.Join(", ", missing.Select(c => $"'{c}'"))}, which the input does not have{where}. Input columns: {schema}. Correct the column names in the condition.")
        { Setting = ConditionSetting, File = file };
    }

    private static void LogUnmatched(BlockContext context, long count, bool sent)
    {
        var rows = count == 1 ? "1 row" : $"{count.ToString("N0", CultureInfo.InvariantCulture)} rows";
        var verb = count == 1 ? "was" : "were";
        if (count == 0)
            context.Log(RunLogLevel.Info, "0 rows did not match the condition.");
        else if (!sent)
            context.Log(RunLogLevel.Info, $"{rows} did not match the condition and {verb} dropped.");
        else if (context.IsConnected("unmatched"))
            context.Log(RunLogLevel.Info, $"{rows} did not match the condition and {verb} sent to 'unmatched'.");
        else
            context.Log(RunLogLevel.Warning, $"{rows} did not match the condition and {verb} sent to 'unmatched', which is not linked, so they went nowhere. Link 'unmatched' or set 'Unmatched rows' to 'drop'.");
    }
}
