using ConnectPlus.Bench.Workload;
using CsvHelper;

namespace ConnectPlus.Bench.Export;

/// <summary>
/// The Profiles template: a member's identity per source. Most members have one in-store profile,
/// some a second one (e-commerce, app, Facebook) with a channel account, a few none. Profile ids are
/// given out as profiles are made: the in-store ones (made at sign-up) come in user id order, the
/// later ones in no particular order. With an orphan share, some rows name a user id no member has.
/// </summary>
internal sealed class ProfilesTable(ExportOptions options, ExportTimeline timeline) : ExportTable("Profiles", Columns)
{
    public static readonly string[] Columns =
        ["id", "user_id", "source", "mobile", "email", "external_id", "first_name", "last_name", "channel_account"];

    private const ulong Stream = 3;
    private const long FirstId = 80_000_001;

    private static readonly byte[] InStore = "INSTORE"u8.ToArray();
    private static readonly byte[][] OtherSources = [.. new[] { "ECOMMERCE", "MOBILE_APP", "FACEBOOK" }.Select(s => System.Text.Encoding.ASCII.GetBytes(s))];
    private static readonly byte[][] AccountPrefixes = [.. new[] { "shop_", "app_", "fb_" }.Select(s => System.Text.Encoding.ASCII.GetBytes(s))];

    protected override long WriteRows(CsvWriter csv, CancellationToken ct)
    {
        var order = new Permutation(options.Members, options.Seed ^ Stream);
        var random = SplitMix.For(options.Seed, Stream, -1);
        var id = FirstId;
        var orphans = 0L;
        Span<byte> buffer = stackalloc byte[128];
        for (var profile = 1; profile <= 2; profile++)
        {
            for (var position = 0L; position < options.Members; position++)
            {
                if ((position & 0xFFFF) == 0)
                {
                    ct.ThrowIfCancellationRequested();
                }

                var index = profile == 1 ? position : order[position];
                if (Member.Counts(options.Seed, index).Profiles >= profile)
                {
                    var member = Member.Create(options.Seed, index, options.Members, timeline);
                    WriteRow(csv, id++, member, member.UserId, profile, buffer);
                }

                if (profile == 1 && options.OrphanShare > 0 && random.Chance(options.OrphanShare))
                {
                    // An orphan profile looks like a real one: the data of some member, under a user id nobody has.
                    var lookalike = Member.Create(options.Seed, random.NextLong(0, options.Members), options.Members, timeline);
                    WriteRow(csv, id++, lookalike, MemberIdentity.OrphanUserId(orphans++), profile: 1, buffer);
                }
            }
        }

        return id - FirstId;
    }

    private static void WriteRow(CsvWriter csv, long id, in Member member, long userId, int profile, Span<byte> buffer)
    {
        var source = member.SecondProfileSource;
        csv.WriteField(buffer[..Utf8Format.Integer(buffer, id)]);
        csv.WriteField(buffer[..Utf8Format.Integer(buffer, userId)]);
        csv.WriteField(profile == 1 ? InStore : OtherSources[source]);
        csv.WriteField(profile == 1 || source == 1 ? buffer[..Utf8Format.Integer(buffer, member.Mobile)] : []);
        csv.WriteField(buffer[..member.WriteEmail(buffer)]);
        MembersTable.WriteExternalId(csv, member, buffer);
        csv.WriteField(Vocabulary.FirstNames[member.FirstName]);
        csv.WriteField(Vocabulary.LastNames[member.LastName]);
        if (profile == 1)
        {
            csv.WriteField(ReadOnlySpan<byte>.Empty);
        }
        else
        {
            var length = Utf8Format.Text(buffer, AccountPrefixes[source]);
            csv.WriteField(buffer[..(length + Utf8Format.Integer(buffer[length..], member.UserId * 7 % 1_000_000_007))]);
        }

        csv.EndRecord();
    }
}
