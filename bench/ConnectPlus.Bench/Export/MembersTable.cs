using ConnectPlus.Bench.Workload;
using CsvHelper;

namespace ConnectPlus.Bench.Export;

/// <summary>The Members template: one row per member, in user id order.</summary>
internal sealed class MembersTable(ExportOptions options, ExportTimeline timeline) : ExportTable("Members", Columns)
{
    public static readonly string[] Columns =
    [
        "user_id", "mobile", "email", "external_id", "first_name", "last_name", "slab", "current_points",
        "lifetime_points", "lifetime_purchases", "joined_date", "last_transaction_date", "store",
    ];

    protected override long WriteRows(CsvWriter csv, CancellationToken ct)
    {
        Span<byte> buffer = stackalloc byte[128];
        for (var index = 0L; index < options.Members; index++)
        {
            if ((index & 0xFFFF) == 0)
            {
                ct.ThrowIfCancellationRequested();
            }

            var member = Member.Create(options.Seed, index, options.Members, timeline);
            csv.WriteField(buffer[..Utf8Format.Integer(buffer, member.UserId)]);
            csv.WriteField(buffer[..Utf8Format.Integer(buffer, member.Mobile)]);
            csv.WriteField(buffer[..member.WriteEmail(buffer)]);
            WriteExternalId(csv, member, buffer);
            csv.WriteField(Vocabulary.FirstNames[member.FirstName]);
            csv.WriteField(Vocabulary.LastNames[member.LastName]);
            csv.WriteField(Vocabulary.Slabs[member.Slab]);
            csv.WriteField(buffer[..Utf8Format.Integer(buffer, member.CurrentPoints)]);
            csv.WriteField(buffer[..Utf8Format.Integer(buffer, member.LifetimePoints)]);
            csv.WriteField(buffer[..Utf8Format.Amount(buffer, member.LifetimePurchases)]);
            csv.WriteField(buffer[..Utf8Format.Date(buffer, member.Joined)]);
            csv.WriteField(member.LastTransaction < 0 ? [] : buffer[..Utf8Format.Date(buffer, member.LastTransaction)]);
            csv.WriteField(Vocabulary.Stores[member.Store]);
            csv.EndRecord();
        }

        return options.Members;
    }

    /// <summary>Writes C and eight digits, or an empty field for a member without one.</summary>
    public static void WriteExternalId(CsvWriter csv, in Member member, Span<byte> buffer)
    {
        if (!member.HasExternalId)
        {
            csv.WriteField(ReadOnlySpan<byte>.Empty);
            return;
        }

        buffer[0] = (byte)'C';
        csv.WriteField(buffer[..(1 + Utf8Format.Integer(buffer[1..], member.ExternalId))]);
    }
}
