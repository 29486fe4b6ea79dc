namespace ConnectPlus.Bench.Workload;

/// <summary>
/// The identifiers of member number <c>index</c> (0-based): they depend on the index only, not on the
/// seed, so a transactions file made with <c>--members N</c> names members of any export of at least
/// N members. Each is unique over the members (the mappings are bijections on their ranges).
/// </summary>
internal static class MemberIdentity
{
    /// <summary>The largest member count the identifiers stay unique for.</summary>
    public const long MaxMembers = 50_000_000;

    private const long UserIdBase = 300_000_000;
    private const long ExternalIdRange = 90_000_000;

    private static readonly int[] MobileSeries =
    [
        6000, 6201, 6302, 6354, 6366, 7011, 7021, 7045, 7208, 7303, 7338, 7350, 7397, 7406, 7506, 7620, 7702, 7738,
        7795, 7838, 7875, 7903, 7977, 8007, 8050, 8097, 8108, 8130, 8169, 8286, 8369, 8446, 8527, 8600, 8657, 8750,
        8826, 8879, 8951, 9004, 9167, 9220, 9323, 9381, 9619, 9702, 9769, 9820, 9833, 9920,
    ];

    /// <summary>
    /// Capillary-like user id: increasing with the index, with a little jitter so that ids are not
    /// consecutive. Ids with remainder 3 (mod 4) are never a member's: see <see cref="OrphanUserId"/>.
    /// </summary>
    public static long UserId(long index) => UserIdBase + (4 * index) + (long)(SplitMix.Mix((ulong)index) % 3);

    /// <summary>A user id that belongs to no member: a deliberate orphan for join tests.</summary>
    public static long OrphanUserId(long orphan) => UserIdBase + (4 * orphan) + 3;

    /// <summary>
    /// An Indian mobile number with country code: 91, one of fifty common four-digit series (as
    /// operators hand them out), then six digits. A million numbers per series, fifty million in all.
    /// </summary>
    public static long Mobile(long index)
    {
        var number = ((index * 2_654_435_761L) + 1_234_567) % (MobileSeries.Length * 1_000_000L);
        return 910_000_000_000 + (MobileSeries[number / 1_000_000] * 1_000_000L) + (number % 1_000_000);
    }

    /// <summary>The brand's own customer number (C followed by eight digits), given out in sign-up order.</summary>
    public static long ExternalId(long index) => 10_000_000 + ((index + 1_234) % ExternalIdRange);
}
