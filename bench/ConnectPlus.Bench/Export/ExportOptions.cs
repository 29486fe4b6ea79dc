namespace ConnectPlus.Bench.Export;

/// <summary>What the <c>export</c> verb makes: a synthetic Capillary Data Export.</summary>
internal sealed record ExportOptions
{
    /// <summary>The time the export was made, as in real file names: 02:00 on the day after the data.</summary>
    public static readonly DateTime DefaultExportTime = new(2026, 11, 27, 2, 0, 0, DateTimeKind.Utc);

    public required long Members { get; init; }

    public required string OutputFolder { get; init; }

    public ulong Seed { get; init; } = 1;

    /// <summary>One zip holding the three CSVs (as Capillary delivers them), or the three CSVs as they are.</summary>
    public bool Zip { get; init; } = true;

    /// <summary>Orphans: about Members × this many extra rows in each of the change log and the profiles, whose user id no member has.</summary>
    public double OrphanShare { get; init; }

    public DateTime ExportTime { get; init; } = DefaultExportTime;
}
