using ConnectPlus.Engine.Delivery;
using ConnectPlus.Web.Data;
using Microsoft.EntityFrameworkCore;
using EngineOutcome = ConnectPlus.Engine.Delivery.ProcessedFileOutcome;
using StoredOutcome = ConnectPlus.Web.Data.ProcessedFileOutcome;

namespace ConnectPlus.Web.Features.Runs;

/// <summary>
/// The processed-file ledger of the web host, in the <see cref="ProcessedFile"/> table, shared by every node
/// of the database. Append-only: a record is a new row, committed before <see cref="RecordAsync"/> returns,
/// and the latest row (highest id) of a file version is the one that counts. Superseded rows stay (a file
/// leaves two or three); they are few and the (location, path, size, modified) index finds the latest.
/// Modified times are cut to whole microseconds on every provider before they are stored or looked for:
/// PostgreSQL keeps no finer time, so the value written is the value read back, and a lookup compares equal
/// values on every node and provider. Database failures are reported as <see cref="IOException"/>.
/// </summary>
public sealed class DatabaseProcessedFileLedger(IDbContextFactory<ConnectPlusDbContext> databases) : IProcessedFileLedger
{
    // Paths per query: well under every provider's parameter limit.
    private const int Chunk = 200;

    /// <inheritdoc />
    public async Task<IReadOnlyDictionary<ProcessedFileKey, ProcessedFileRecord>> FindAsync(IReadOnlyCollection<ProcessedFileKey> files, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(files);
        var found = new Dictionary<ProcessedFileKey, ProcessedFileRecord>();
        try
        {
            var db = databases.CreateDbContext();
            await using (db.ConfigureAwait(false))
            {
                foreach (var location in files.GroupBy(f => f.Location, StringComparer.Ordinal))
                {
                    foreach (var chunk in location.Chunk(Chunk))
                        await FindChunkAsync(db, location.Key, chunk, found, cancellationToken).ConfigureAwait(false);
                }
            }
        }
        catch (Exception ex) when (DatabaseErrors.IsDatabaseFailure(ex))
        {
            throw new IOException($"The processed-file ledger in the database cannot be read: {ex.Message}", ex);
        }
        return found;
    }

    private static async Task FindChunkAsync(ConnectPlusDbContext db, string location, ProcessedFileKey[] asked, Dictionary<ProcessedFileKey, ProcessedFileRecord> found, CancellationToken cancellationToken)
    {
        var paths = asked.Select(f => f.Path).Distinct(StringComparer.Ordinal).ToList();
        var rows = await db.ProcessedFiles.AsNoTracking()
            .Where(f => f.Location == location && paths.Contains(f.Path))
            .OrderBy(f => f.Id)
            .ToListAsync(cancellationToken).ConfigureAwait(false);
        var latest = new Dictionary<(string Path, long Size, DateTimeOffset Modified), ProcessedFile>();
        foreach (var row in rows) latest[(row.Path, row.Size, Microseconds(row.Modified))] = row;
        foreach (var key in asked)
        {
            if (latest.TryGetValue((key.Path, key.Size, Microseconds(key.Modified)), out var row))
                found[key] = new ProcessedFileRecord(key, row.Checksum, row.RunKey, ToEngine(row.Outcome), row.Recorded);
        }
    }

    /// <inheritdoc />
    public async Task RecordAsync(IReadOnlyCollection<ProcessedFileRecord> records, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(records);
        if (records.Count == 0) return;
        try
        {
            var db = databases.CreateDbContext();
            await using (db.ConfigureAwait(false))
            {
                db.ProcessedFiles.AddRange(records.Select(r => new ProcessedFile
                {
                    Location = r.File.Location,
                    Path = r.File.Path,
                    Size = r.File.Size,
                    Modified = Microseconds(r.File.Modified),
                    Checksum = r.Checksum,
                    RunKey = r.RunId,
                    Outcome = ToStored(r.Outcome),
                    Recorded = Microseconds(r.Recorded),
                }));
                await db.SaveChangesAsync(cancellationToken).ConfigureAwait(false);
            }
        }
        catch (Exception ex) when (DatabaseErrors.IsDatabaseFailure(ex))
        {
            throw new IOException($"The processed-file ledger in the database cannot be written: {ex.Message}", ex);
        }
    }

    /// <summary>A time cut to whole microseconds, in UTC: what PostgreSQL keeps, applied on every provider.</summary>
    internal static DateTimeOffset Microseconds(DateTimeOffset time)
    {
        var utc = time.ToUniversalTime();
        return new DateTimeOffset(utc.Ticks - utc.Ticks % 10, TimeSpan.Zero);
    }

    private static EngineOutcome ToEngine(StoredOutcome outcome) => outcome switch
    {
        StoredOutcome.Succeeded => EngineOutcome.Succeeded,
        StoredOutcome.Failed => EngineOutcome.Failed,
        _ => EngineOutcome.Processing,
    };

    private static StoredOutcome ToStored(EngineOutcome outcome) => outcome switch
    {
        EngineOutcome.Succeeded => StoredOutcome.Succeeded,
        EngineOutcome.Failed => StoredOutcome.Failed,
        _ => StoredOutcome.Processing,
    };
}
