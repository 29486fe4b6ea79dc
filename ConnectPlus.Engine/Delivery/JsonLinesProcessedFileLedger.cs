using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace ConnectPlus.Engine.Delivery;

/// <summary>
/// A processed-file ledger in plain files, for hosts without a database (the CLI keeps it under its runs
/// folder, in <c>runs/ledger</c>). One file per location read: <c>&lt;folder&gt;/&lt;hash&gt;.jsonl</c>, the hash
/// being the first 16 bytes of the SHA-256 of the location, in hex. One JSON object per line:
/// <code>{"location":"file:///data/in","path":"members.csv","size":1200,"modified":"2025-01-02T03:04:05.0000000+00:00","checksum":null,"run":"20250102-030405-ab12cd","outcome":"succeeded","recorded":"2025-01-02T03:05:00.1234567+00:00"}</code>
/// <list type="bullet">
/// <item>Append-only: a record is a new line, flushed to disk (fsync) before <see cref="RecordAsync"/> returns;
/// the last line of a file version is the one that counts.</item>
/// <item>A line that does not parse is a write cut short by a crash; it was never acknowledged, so it is
/// ignored (and the next append starts on a fresh line).</item>
/// <item>Compacted on load: once superseded lines are at least 1,000 and at least as many as the live ones,
/// the file is rewritten with the last line of each file version (temporary file, fsync, rename).
/// Records are never expired: a file read successfully stays known.</item>
/// <item>Runs in several processes take turns through an exclusive lock file beside it (<c>&lt;hash&gt;.lock</c>).</item>
/// </list>
/// </summary>
public sealed class JsonLinesProcessedFileLedger : IProcessedFileLedger
{
    private const int CompactAfterSuperseded = 1000;

    private static readonly JsonSerializerOptions Json = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.CamelCase) },
        DefaultIgnoreCondition = JsonIgnoreCondition.Never,
        // A file for people and this class, never embedded in HTML: "+00:00" stays readable.
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    /// <summary>A ledger whose files live in <paramref name="folder"/> (created on the first record).</summary>
    public JsonLinesProcessedFileLedger(string folder)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(folder);
        Folder = Path.GetFullPath(folder);
    }

    /// <summary>The folder of the ledger files.</summary>
    public string Folder { get; }

    /// <summary>The ledger file of a location.</summary>
    public string FileOf(string location)
    {
        ArgumentNullException.ThrowIfNull(location);
        var hash = SHA256.HashData(Encoding.UTF8.GetBytes(location));
        return Path.Combine(Folder, Convert.ToHexStringLower(hash, 0, 16) + ".jsonl");
    }

    /// <inheritdoc />
    public async Task<IReadOnlyDictionary<ProcessedFileKey, ProcessedFileRecord>> FindAsync(IReadOnlyCollection<ProcessedFileKey> files, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(files);
        var found = new Dictionary<ProcessedFileKey, ProcessedFileRecord>();
        foreach (var group in files.Select(Normalized).GroupBy(f => f.Location, StringComparer.Ordinal))
        {
            var path = FileOf(group.Key);
            if (!File.Exists(path)) continue;
            Dictionary<ProcessedFileKey, ProcessedFileRecord> latest;
            var held = await LockAsync(path, cancellationToken).ConfigureAwait(false);
            await using (held.ConfigureAwait(false))
                latest = await LoadAsync(path, cancellationToken).ConfigureAwait(false);
            foreach (var file in group)
            {
                if (latest.TryGetValue(file, out var record)) found[file] = record;
            }
        }
        return found;
    }

    /// <inheritdoc />
    public async Task RecordAsync(IReadOnlyCollection<ProcessedFileRecord> records, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(records);
        foreach (var group in records.GroupBy(r => r.File.Location, StringComparer.Ordinal))
        {
            var path = FileOf(group.Key);
            Directory.CreateDirectory(Folder);
            var text = new StringBuilder();
            foreach (var record in group) text.Append(JsonSerializer.Serialize(Line.From(record), Json)).Append('\n');
            var held = await LockAsync(path, cancellationToken).ConfigureAwait(false);
            await using (held.ConfigureAwait(false))
                await AppendAsync(path, text.ToString(), cancellationToken).ConfigureAwait(false);
        }
    }

    private static async Task AppendAsync(string path, string lines, CancellationToken cancellationToken)
    {
        var stream = new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.Read, 1 << 12, FileOptions.Asynchronous);
        await using (stream.ConfigureAwait(false))
        {
            var bytes = Encoding.UTF8.GetBytes(lines);
            if (stream.Length > 0)
            {
                // A line cut short by a crash must not swallow the first record written after it.
                stream.Seek(-1, SeekOrigin.End);
                var last = new byte[1];
                await stream.ReadExactlyAsync(last, cancellationToken).ConfigureAwait(false);
                if (last[0] != (byte)'\n') bytes = [(byte)'\n', .. bytes];
            }
            stream.Seek(0, SeekOrigin.End);
            await stream.WriteAsync(bytes, cancellationToken).ConfigureAwait(false);
            await stream.FlushAsync(cancellationToken).ConfigureAwait(false);
            stream.Flush(flushToDisk: true);
        }
    }

    private static async Task<Dictionary<ProcessedFileKey, ProcessedFileRecord>> LoadAsync(string path, CancellationToken cancellationToken)
    {
        var latest = new Dictionary<ProcessedFileKey, ProcessedFileRecord>();
        var lines = 0;
        var reader = new StreamReader(path, Encoding.UTF8, false, new FileStreamOptions { Access = FileAccess.Read, Share = FileShare.Read, Options = FileOptions.Asynchronous | FileOptions.SequentialScan });
        using (reader)
        {
            while (await reader.ReadLineAsync(cancellationToken).ConfigureAwait(false) is { } text)
            {
                if (text.Length == 0) continue;
                lines++;
                if (Parse(text) is { } record) latest[record.File] = record;
            }
        }
        var superseded = lines - latest.Count;
        if (superseded >= CompactAfterSuperseded && superseded >= latest.Count)
            await CompactAsync(path, latest.Values, cancellationToken).ConfigureAwait(false);
        return latest;
    }

    // A line that does not parse was being written when the process died: RecordAsync never returned for it.
    private static ProcessedFileRecord? Parse(string text)
    {
        try
        {
            return JsonSerializer.Deserialize<Line>(text, Json)?.ToRecord();
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private static async Task CompactAsync(string path, IEnumerable<ProcessedFileRecord> records, CancellationToken cancellationToken)
    {
        var temp = path + ".compact";
        var stream = new FileStream(temp, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 16, FileOptions.Asynchronous);
        await using (stream.ConfigureAwait(false))
        {
            var writer = new StreamWriter(stream, new UTF8Encoding(false)) { NewLine = "\n" };
            await using (writer.ConfigureAwait(false))
            {
                foreach (var record in records.OrderBy(r => r.Recorded))
                    await writer.WriteLineAsync(JsonSerializer.Serialize(Line.From(record), Json).AsMemory(), cancellationToken).ConfigureAwait(false);
                await writer.FlushAsync(cancellationToken).ConfigureAwait(false);
                stream.Flush(flushToDisk: true);
            }
        }
        File.Move(temp, path, overwrite: true);
    }

    /// <summary>Takes the location's lock file exclusively, waiting while another run holds it.</summary>
    private static Task<FileStream> LockAsync(string path, CancellationToken cancellationToken) =>
        FileLock.AcquireAsync(path, $"The processed-file ledger {path}", cancellationToken);

    private static ProcessedFileKey Normalized(ProcessedFileKey key) => key with { Modified = key.Modified.ToUniversalTime() };

    /// <summary>One line of a ledger file; times in UTC with all seven decimals ("O"), so that lines line up and compare exactly.</summary>
    private sealed record Line(string Location, string Path, long Size, string Modified, string? Checksum, string Run, ProcessedFileOutcome Outcome, string Recorded)
    {
        public static Line From(ProcessedFileRecord r) =>
            new(r.File.Location, r.File.Path, r.File.Size, Time(r.File.Modified), r.Checksum, r.RunId, r.Outcome, Time(r.Recorded));

        public ProcessedFileRecord? ToRecord() =>
            Location is null || Path is null || Run is null || Time(Modified) is not { } modified || Time(Recorded) is not { } recorded
                ? null
                : new(new ProcessedFileKey(Location, Path, Size, modified), Checksum, Run, Outcome, recorded);

        private static string Time(DateTimeOffset time) => time.ToUniversalTime().ToString("O", CultureInfo.InvariantCulture);

        private static DateTimeOffset? Time(string? text) =>
            DateTimeOffset.TryParseExact(text, "O", CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind, out var time) ? time.ToUniversalTime() : null;
    }
}
