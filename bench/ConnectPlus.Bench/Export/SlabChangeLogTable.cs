using System.Text;
using ConnectPlus.Bench.Workload;
using CsvHelper;

namespace ConnectPlus.Bench.Export;

/// <summary>
/// The Slab Change Log template: one row per tier change, in time order, so members come in no
/// particular order. A member has 0 to 3 changes (one on average); the last one ends in the tier the
/// Members file shows. With an orphan share, some rows name a user id that no member has.
/// </summary>
internal sealed class SlabChangeLogTable(ExportOptions options, ExportTimeline timeline) : ExportTable("SlabChangeLog", Columns)
{
    public static readonly string[] Columns = ["id", "user_id", "slab_name", "previous_slab", "event_time", "notes"];

    private const ulong Stream = 2;
    private const long FirstId = 5_000_001;

    // Mostly empty, as in real logs; a comma and a quote make some notes need CSV quoting.
    private static readonly byte[][] UpgradeNotes = Notes(
        "", "", "", "", "", "", "", "", "", "", "", "", "", "", "", "", "Upgraded on lifetime points", "Tier review", "Upgraded, festive bonus", "Goodwill upgrade \"VIP\"");

    private static readonly byte[][] DowngradeNotes = Notes(
        "", "", "", "", "", "", "", "", "Downgraded at tier expiry", "Tier review");

    protected override long WriteRows(CsvWriter csv, CancellationToken ct)
    {
        var order = new Permutation(options.Members, options.Seed ^ Stream);
        var random = SplitMix.For(options.Seed, Stream, -1);
        var id = FirstId;
        var orphans = 0L;
        Span<byte> buffer = stackalloc byte[64];
        for (var change = 1; change <= 3; change++)
        {
            var (from, until) = timeline.ChangeWindow(change);
            var step = (double)(until - from) / Math.Max(options.Members, 1);
            for (var position = 0L; position < options.Members; position++)
            {
                if ((position & 0xFFFF) == 0)
                {
                    ct.ThrowIfCancellationRequested();
                }

                var index = order[position];
                var eventTime = from + (long)((position + random.NextDouble()) * step);
                if (Member.Counts(options.Seed, index).SlabChanges >= change)
                {
                    var member = Member.Create(options.Seed, index, options.Members, timeline);
                    WriteRow(csv, id++, member.UserId, member.SlabAt(change), member.SlabAt(change - 1), eventTime, ref random, buffer);
                }

                if (change == 1 && options.OrphanShare > 0 && random.Chance(options.OrphanShare))
                {
                    var slab = random.Next(3);
                    WriteRow(csv, id++, MemberIdentity.OrphanUserId(orphans++), slab + 1, slab, eventTime, ref random, buffer);
                }
            }
        }

        return id - FirstId;
    }

    private static void WriteRow(
        CsvWriter csv, long id, long userId, int slab, int previous, long eventTime, ref SplitMix random, Span<byte> buffer)
    {
        var notes = slab > previous ? UpgradeNotes : DowngradeNotes;
        csv.WriteField(buffer[..Utf8Format.Integer(buffer, id)]);
        csv.WriteField(buffer[..Utf8Format.Integer(buffer, userId)]);
        csv.WriteField(Vocabulary.Slabs[slab]);
        csv.WriteField(Vocabulary.Slabs[previous]);
        csv.WriteField(buffer[..Utf8Format.DateTime(buffer, eventTime)]);
        csv.WriteField(notes[random.Next(notes.Length)]);
        csv.EndRecord();
    }

    private static byte[][] Notes(params string[] notes) => [.. notes.Select(Encoding.UTF8.GetBytes)];
}
