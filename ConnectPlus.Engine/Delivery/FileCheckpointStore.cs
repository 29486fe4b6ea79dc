using System.Text;
using System.Text.Json;

namespace ConnectPlus.Engine.Delivery;

/// <summary>
/// Checkpoints in files, for headless runs: one JSON-lines file per dataflow,
/// <c>{folder}/{dataflow}.jsonl</c>, one line per acknowledged batch, appended and flushed to disk
/// (fsync) before <see cref="RecordAsync"/> completes. Appends share their flushes: lines recorded while a
/// flush runs, or within <c>gather</c> (10 ms by default) of the one before, go to disk together, so a run
/// sending hundreds of batches a second does not pay an fsync for each. A line cut short by a crash is ignored when the
/// file is read. <see cref="ForgetAsync"/> rewrites the file without the forgotten files' lines
/// (under a temporary name, then renamed). Thread-safe within a process; one run of a dataflow at a time.
/// </summary>
public sealed class FileCheckpointStore : ICheckpointStore, IDisposable
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);
    // Held by a flush, and by reading and rewriting, so that they never meet an append half done.
    private readonly SemaphoreSlim _lock = new(1, 1);
    private readonly GroupCommit<(string Path, byte[] Line)> _flushes;

    public FileCheckpointStore(string folder, TimeSpan? gather = null)
    {
        Folder = Path.GetFullPath(folder);
        _flushes = new(FlushAsync, gather ?? TimeSpan.FromMilliseconds(10), _lock);
    }

    /// <summary>Called with the number of lines of each flush as it starts (tests).</summary>
    internal Action<int>? OnFlush
    {
        get => _flushes.OnCommit;
        set => _flushes.OnCommit = value;
    }

    /// <summary>The folder holding the files.</summary>
    public string Folder { get; }

    /// <summary>The file that holds a dataflow's checkpoints.</summary>
    public string PathFor(string dataflow) => _paths.GetOrAdd(dataflow, static (name, folder) => Path.Combine(folder, SafeName(name) + ".jsonl"), Folder);

    // Asked for every acknowledged batch; a name that is cleaned up is hashed to make it.
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, string> _paths = new(StringComparer.Ordinal);

    public void Dispose()
    {
        _flushes.Dispose();
        _lock.Dispose();
    }

    /// <inheritdoc />
    public async Task<IReadOnlyList<Checkpoint>> LoadAsync(string dataflow, string node, CancellationToken cancellationToken)
    {
        await _lock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            return [.. (await ReadAsync(dataflow, cancellationToken).ConfigureAwait(false)).Where(c => c.Node == node)];
        }
        finally
        {
            _lock.Release();
        }
    }

    /// <inheritdoc />
    /// <remarks>
    /// Group commit (<see cref="GroupCommit{T}"/>): lines recorded while another writer is flushing wait for it, then
    /// the next writer appends all of them and flushes once, so parallel requests share one fsync.
    /// </remarks>
    public Task RecordAsync(Checkpoint checkpoint, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(checkpoint);
        var line = Encoding.UTF8.GetBytes(JsonSerializer.Serialize(checkpoint, Json) + "\n");
        return _flushes.AddAsync((PathFor(checkpoint.Dataflow), line), cancellationToken);
    }

    private async Task FlushAsync(List<(string Path, byte[] Line)> lines, CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(Folder);
        foreach (var file in lines.GroupBy(l => l.Path, StringComparer.Ordinal))
        {
            var fileLock = await LockAsync(file.Key, cancellationToken).ConfigureAwait(false);
            await using var releaseLock = fileLock.ConfigureAwait(false);
            var stream = new FileStream(file.Key, FileMode.Append, FileAccess.Write, FileShare.Read, 1 << 16, FileOptions.None);
            await using (stream.ConfigureAwait(false))
            {
                foreach (var (_, line) in file) await stream.WriteAsync(line, cancellationToken).ConfigureAwait(false);
                // The acknowledgements must survive a crash of the machine, not only of the process.
                stream.Flush(flushToDisk: true);
            }
        }
    }

    private static Task<FileStream> LockAsync(string path, CancellationToken cancellationToken) =>
        FileLock.AcquireAsync(path, $"The checkpoint file {path}", cancellationToken);

    /// <inheritdoc />
    public async Task ForgetAsync(string dataflow, string node, IReadOnlyCollection<string> sources, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(sources);
        if (sources.Count == 0) return;
        await _lock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var path = PathFor(dataflow);
            if (!File.Exists(path)) return;
            var fileLock = await LockAsync(path, cancellationToken).ConfigureAwait(false);
            await using var releaseLock = fileLock.ConfigureAwait(false);
            var all = await ReadAsync(dataflow, cancellationToken).ConfigureAwait(false);
            var kept = all.Where(c => c.Node != node || !sources.Contains(c.Source)).ToList();
            if (kept.Count == all.Count) return;
            if (kept.Count == 0)
            {
                File.Delete(path);
                return;
            }
            var temp = path + ".tmp";
            var lines = kept.Select(c => JsonSerializer.Serialize(c, Json));
            await File.WriteAllLinesAsync(temp, lines, cancellationToken).ConfigureAwait(false);
            File.Move(temp, path, overwrite: true);
        }
        finally
        {
            _lock.Release();
        }
    }

    private async Task<List<Checkpoint>> ReadAsync(string dataflow, CancellationToken cancellationToken)
    {
        var path = PathFor(dataflow);
        var result = new List<Checkpoint>();
        if (!File.Exists(path)) return result;
        foreach (var line in await File.ReadAllLinesAsync(path, cancellationToken).ConfigureAwait(false))
        {
            if (string.IsNullOrWhiteSpace(line)) continue;
            try
            {
                if (JsonSerializer.Deserialize<Checkpoint>(line, Json) is { } checkpoint) result.Add(checkpoint);
            }
            catch (JsonException)
            {
                // The last line of a file appended to when the process died can be cut short: that batch
                // was not acknowledged durably, so it is sent again (and a duplicate answer counts as delivered).
            }
        }
        return result;
    }

    /// <summary>
    /// A dataflow name as a file name: letters, digits, '-', '_' and '.' kept, the rest '_', and then a
    /// short hash of the real name so that "a b" and "a_b" do not share a file.
    /// </summary>
    internal static string SafeName(string dataflow)
    {
        if (string.IsNullOrWhiteSpace(dataflow)) return "dataflow";
        var chars = dataflow.Select(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' ? c : '_').ToArray();
        var safe = new string(chars);
        if (safe == dataflow) return safe;
        var hash = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(Encoding.UTF8.GetBytes(dataflow)).AsSpan(0, 4));
        return $"{safe}-{hash}";
    }
}
