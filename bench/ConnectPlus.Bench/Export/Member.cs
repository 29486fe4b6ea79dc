using ConnectPlus.Bench.Workload;

namespace ConnectPlus.Bench.Export;

/// <summary>
/// One member of a synthetic export: a pure function of the seed and the member's index, so that the
/// member file, the tier change log and the profiles (each written in its own order) agree on every
/// member without holding any of them in memory.
/// </summary>
internal readonly struct Member
{
    private const ulong Stream = 1;
    private static readonly double[] ChangeCountWeights = [0.25, 0.80, 0.95, 1.0];
    private static readonly double[] ProfileCountWeights = [0.02, 0.97, 1.0];

    public long Index { get; init; }

    public long UserId { get; init; }

    public int FirstName { get; init; }

    public int LastName { get; init; }

    /// <summary>0: no email; otherwise the pattern of the address (see <see cref="WriteEmail"/>).</summary>
    public int EmailPattern { get; init; }

    public int EmailDomain { get; init; }

    public int EmailNumber { get; init; }

    public bool HasExternalId { get; init; }

    /// <summary>The tiers the member went through, oldest first, 2 bits each; the last is the current one.</summary>
    public int SlabHistory { get; init; }

    /// <summary>How many tier changes the log holds for the member (0–3).</summary>
    public int SlabChanges { get; init; }

    public long CurrentPoints { get; init; }

    public long LifetimePoints { get; init; }

    /// <summary>Lifetime purchases in hundredths of the currency.</summary>
    public long LifetimePurchases { get; init; }

    public long Joined { get; init; }

    /// <summary>The last transaction, or -1 for a member who never bought anything.</summary>
    public long LastTransaction { get; init; }

    public int Store { get; init; }

    /// <summary>How many profiles the member has (0–2); the first is the in-store one.</summary>
    public int Profiles { get; init; }

    /// <summary>The source of the second profile: an index into the non-in-store sources.</summary>
    public int SecondProfileSource { get; init; }

    public int Slab => SlabAt(SlabChanges);

    public long Mobile => MemberIdentity.Mobile(Index);

    public long ExternalId => MemberIdentity.ExternalId(Index);

    /// <summary>The tier after the n-th change (0: before the first change).</summary>
    public int SlabAt(int change) => (SlabHistory >> (2 * change)) & 3;

    /// <summary>Member number <paramref name="index"/> of an export of <paramref name="members"/> members.</summary>
    public static Member Create(ulong seed, long index, long members, ExportTimeline timeline)
    {
        var random = SplitMix.For(seed, Stream, index);
        var (slab, changes, profiles) = DrawCounts(ref random);
        var history = SlabHistoryEndingWith(slab, changes, ref random);
        var purchases = (long)(PurchaseScale(slab) * (0.2 + (random.NextDouble() * random.NextDouble() * 4)));
        // Most bills are in whole rupees, so most totals are too.
        purchases -= random.Chance(0.85) ? purchases % 100 : 0;
        var lifetimePoints = purchases / 1000;
        // User ids are given out in sign-up order: the join dates rise with the index.
        var joined = timeline.JoinedFrom + (long)((index + random.NextDouble()) * (timeline.JoinedUntil - timeline.JoinedFrom) / Math.Max(members, 1));
        // Most members bought something in the last months; some never did.
        var lastTransaction = random.Chance(0.08) ? -1 : Math.Max(joined, timeline.DataEnd - (long)(-Math.Log(1 - random.NextDouble()) * 120 * 86_400));
        var emailPattern = random.Chance(0.5) ? 0 : 1 + random.Next(3);
        return new Member
        {
            Index = index,
            UserId = MemberIdentity.UserId(index),
            FirstName = random.Next(Vocabulary.FirstNames.Length),
            LastName = random.Next(Vocabulary.LastNames.Length),
            EmailPattern = emailPattern,
            EmailDomain = random.Pick(Vocabulary.EmailDomainWeights),
            EmailNumber = random.Next(100),
            HasExternalId = random.Chance(0.35),
            SlabHistory = history,
            SlabChanges = changes,
            LifetimePurchases = purchases,
            LifetimePoints = lifetimePoints,
            // Some members have redeemed or lost every point.
            CurrentPoints = random.Chance(0.2) ? 0 : (long)(lifetimePoints * (0.05 + (random.NextDouble() * 0.55))),
            Joined = joined,
            LastTransaction = lastTransaction,
            // Flagship stores sign up far more members than small ones.
            Store = (int)(Vocabulary.Stores.Length * Math.Pow(random.NextDouble(), 2.5)),
            Profiles = profiles,
            SecondProfileSource = random.Next(3),
        };
    }

    /// <summary>
    /// How many tier changes and profiles member <paramref name="index"/> has, without making the
    /// whole member: the later passes over the change log and the profiles skip most members.
    /// </summary>
    public static (int SlabChanges, int Profiles) Counts(ulong seed, long index)
    {
        var random = SplitMix.For(seed, Stream, index);
        var (_, changes, profiles) = DrawCounts(ref random);
        return (changes, profiles);
    }

    /// <summary>The first draws of a member, shared by <see cref="Create"/> and <see cref="Counts"/>.</summary>
    private static (int Slab, int Changes, int Profiles) DrawCounts(ref SplitMix random) =>
        (random.Pick(Vocabulary.SlabWeights), random.Pick(ChangeCountWeights), random.Pick(ProfileCountWeights));

    /// <summary>Writes the email address into <paramref name="destination"/>; 0 when the member has none.</summary>
    public int WriteEmail(Span<byte> destination)
    {
        if (EmailPattern == 0)
        {
            return 0;
        }

        var first = Vocabulary.EmailFirstNames[FirstName];
        var last = Vocabulary.EmailLastNames[LastName];
        var length = 0;
        switch (EmailPattern)
        {
            case 1:
                length += Utf8Format.Text(destination, first);
                destination[length++] = (byte)'.';
                length += Utf8Format.Text(destination[length..], last);
                break;
            case 2:
                destination[length++] = first[0];
                length += Utf8Format.Text(destination[length..], last);
                length += Utf8Format.Integer(destination[length..], 1970 + (EmailNumber % 36));
                break;
            default:
                length += Utf8Format.Text(destination, first);
                destination[length++] = (byte)'_';
                length += Utf8Format.Integer(destination[length..], EmailNumber);
                break;
        }

        destination[length++] = (byte)'@';
        return length + Utf8Format.Text(destination[length..], Vocabulary.EmailDomains[EmailDomain]);
    }

    private static double PurchaseScale(int slab) => slab switch
    {
        0 => 1_500_000,
        1 => 6_000_000,
        2 => 15_000_000,
        _ => 40_000_000,
    };

    /// <summary>A chain of tiers, one step up or down per change, that ends with <paramref name="slab"/>.</summary>
    private static int SlabHistoryEndingWith(int slab, int changes, ref SplitMix random)
    {
        var history = slab << (2 * changes);
        var later = slab;
        for (var change = changes - 1; change >= 0; change--)
        {
            // Most changes are upgrades: the tier before is usually the one below.
            var earlier = later == 0 || (later < 3 && random.Chance(0.2)) ? later + 1 : later - 1;
            history |= earlier << (2 * change);
            later = earlier;
        }

        return history;
    }
}
