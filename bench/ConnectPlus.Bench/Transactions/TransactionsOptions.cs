using ConnectPlus.Bench.Export;

namespace ConnectPlus.Bench.Transactions;

/// <summary>What the <c>transactions</c> verb makes: a bill file for the v2 transactions API, one row per line item.</summary>
internal sealed record TransactionsOptions
{
    public required long Bills { get; init; }

    public required string OutputFile { get; init; }

    /// <summary>The average number of line items per bill (at least 1).</summary>
    public double LinesPerBill { get; init; } = 2;

    public ulong Seed { get; init; } = 1;

    /// <summary>Share of bills made deliberately bad: negative amount, bad date or missing mobile.</summary>
    public double BadShare { get; init; } = 0.001;

    /// <summary>Bills name the mobiles of members 0..Members-1, as an export of that many members has them.</summary>
    public long Members { get; init; } = 100_000;

    /// <summary>The bills span this many days, up to the end of the day before <see cref="ExportOptions.DefaultExportTime"/>.</summary>
    public int Days { get; init; } = 30;
}
