using ConnectPlus.Engine.Catalog;
using ConnectPlus.Engine.Runtime;

namespace ConnectPlus.Engine.Blocks.Api;

/// <summary>
/// Turns rows into the JSON items of a Capillary API (v2 transactions bulk, v2 customers, v1.1
/// transaction add, customer add, points redeem) or of a custom template: maps columns, formulas
/// and constants to the item's fields, groups the lines of a bill into one item, converts numbers,
/// dates and case-sensitive values to what the API accepts, and rejects the rows it would refuse,
/// with the field, the column and the value. Feeds an API sink, which sends the items in batches.
/// </summary>
[Block("build-api-payload", 1, "Build API payload", BlockCategory.Transform, Icon = "data_object")]
[Input("records", PortKind.Records, Description = "Rows to build items from, e.g. bill lines read from a CSV file.")]
[Output("payloads", PortKind.Records, Description = "One row per item: payload_key (the group key or the bill number), payload (the item's JSON) and source_rows (the input rows it was built from, with file and line) — what the API sinks read.")]
[Output("rejected", PortKind.Records, Rejected = true, Description = "Rows that would make a payload the API refuses (a bad number, date or value, a required field missing), with the reason.")]
public sealed class BuildApiPayloadBlock : Block<BuildApiPayloadSettings>
{
    /// <summary>Code of rows whose value cannot be converted to its field's type (number, date, allowed value…).</summary>
    public const string FieldErrorCode = "PAYLOAD_FIELD";

    /// <summary>Code of rows of an item that lacks a required field.</summary>
    public const string RequiredErrorCode = "PAYLOAD_REQUIRED";

    /// <summary>Code of rows on which a mapping formula failed (the same code as the Map block's).</summary>
    public const string FormulaErrorCode = "FORMULA";

    /// <summary>Code of rows whose group key came back after other keys in consecutive grouping.</summary>
    public const string UnsortedErrorCode = "PAYLOAD_UNSORTED";

    /// <inheritdoc />
    public override async Task RunAsync(BlockContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        var plan = PayloadPlan.Compile(Settings);
        using var grouping = new PayloadGrouping(context, plan, Settings);
        await grouping.RunAsync(cancellationToken).ConfigureAwait(false);
    }
}
