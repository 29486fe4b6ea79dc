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
    private const long MobileRange = 4_000_000_000;
    private const long ExternalIdRange = 90_000_000;

    /// <summary>
    /// Capillary-like user id: increasing with the index, with a little jitter so that ids are not
    /// consecutive. Ids with remainder 3 (mod 4) are never a member's: see <see cref="OrphanUserId"/>.
    /// </summary>
    public static long UserId(long index) => UserIdBase + (4 * index) + (long)(SplitMix.Mix((ulong)index) % 3);

    /// <summary>A user id that belongs to no member: a deliberate orphan for join tests.</summary>
    public static long OrphanUserId(long orphan) => UserIdBase + (4 * orphan) + 3;

    /// <summary>An Indian mobile number with country code, 91 followed by ten digits starting 6–9.</summary>
    public static long Mobile(long index) =>
        910_000_000_000 + 6_000_000_000 + (((index * 2_654_435_761L) + 1_234_567) % MobileRange);

    /// <summary>The brand's own customer number (C followed by eight digits), given out in sign-up order.</summary>
    public static long ExternalId(long index) => 10_000_000 + ((index + 1_234) % ExternalIdRange);
}
