using System.Runtime.CompilerServices;
using System.Runtime.ExceptionServices;

namespace ConnectPlus.Engine.Connectors;

/// <summary>
/// What every remote location (SFTP, FTP, S3) does the same way: retries of transient faults, error
/// messages, sorted recursive listing, conflict modes, and the atomic write (a hidden temporary name
/// renamed into place once complete). A protocol supplies the primitives; paths given to them are
/// normalized and relative to the location's root.
/// </summary>
public abstract class RemoteFileLocation : IFileLocation
{
    /// <param name="display">Where this is, without secrets: <c>sftp://user@host:22/root</c>.</param>
    /// <param name="retry">Retries of transient faults around each operation.</param>
    protected RemoteFileLocation(string display, RetryPolicy retry)
    {
        Display = display;
        Retry = retry;
    }

    public string Display { get; }

    /// <summary>Retries of transient faults around each operation.</summary>
    protected RetryPolicy Retry { get; }

    /// <summary>A folder entry as a protocol lists it.</summary>
    protected readonly record struct RemoteEntry(string Name, bool IsFolder, long Size, DateTimeOffset Modified);

    public Task TestAsync(CancellationToken cancellationToken) =>
        RunAsync("connect", TestRootAsync, cancellationToken);

    public async IAsyncEnumerable<RemoteFile> ListAsync(string folder, bool recursive, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var normalized = RemotePath.Normalize(folder);
        var files = await RunAsync($"list '{normalized}'", ct => ListFilesAsync(normalized, recursive, ct), cancellationToken).ConfigureAwait(false);
        foreach (var file in files.OrderBy(f => f.Path, StringComparer.Ordinal))
        {
            cancellationToken.ThrowIfCancellationRequested();
            yield return file;
        }
    }

    public Task<RemoteFile?> StatAsync(string path, CancellationToken cancellationToken)
    {
        var normalized = FilePath(path);
        return RunAsync($"look up '{normalized}'", ct => StatFileAsync(normalized, ct), cancellationToken);
    }

    public async Task<Stream> OpenReadAsync(string path, CancellationToken cancellationToken)
    {
        var normalized = FilePath(path);
        var stream = await RunAsync($"open '{normalized}'", ct => OpenFileAsync(normalized, ct), cancellationToken).ConfigureAwait(false);
        return stream as RemoteReadStream ?? new RemoteReadStream(stream, this, normalized);
    }

    public async Task<string?> WriteAsync(string path, Stream content, ConflictMode onConflict, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(content);
        var target = FilePath(path);
        if (await StatAsync(target, cancellationToken).ConfigureAwait(false) is not null)
        {
            switch (onConflict)
            {
                case ConflictMode.Skip:
                    return null;
                case ConflictMode.Fail:
                    throw new ConnectionException(ConnectionFailure.AlreadyExists, $"{Display}: '{target}' exists already (on conflict: fail).");
                case ConflictMode.Rename:
                    target = await FreeNameAsync(target, cancellationToken).ConfigureAwait(false);
                    break;
            }
        }
        await WriteFileAsync(target, content, onConflict == ConflictMode.Replace, cancellationToken).ConfigureAwait(false);
        return target;
    }

    public async Task MoveAsync(string fromPath, string toPath, CancellationToken cancellationToken)
    {
        var from = FilePath(fromPath);
        var to = FilePath(toPath);
        if (await StatAsync(to, cancellationToken).ConfigureAwait(false) is not null)
            throw new ConnectionException(ConnectionFailure.AlreadyExists, $"{Display}: cannot move '{from}' to '{to}': the target exists.");
        if (await StatAsync(from, cancellationToken).ConfigureAwait(false) is null)
            throw new ConnectionException(ConnectionFailure.NotFoundOnServer, $"{Display}: cannot move '{from}': there is no such file.");
        await RunAsync($"create the folder of '{to}'", ct => CreateFolderAsync(RemotePath.Folder(to), ct), cancellationToken).ConfigureAwait(false);
        await RunAsync($"move '{from}' to '{to}'", ct => RenameAsync(from, to, replace: false, ct), cancellationToken).ConfigureAwait(false);
    }

    public Task DeleteAsync(string path, CancellationToken cancellationToken)
    {
        var normalized = FilePath(path);
        return RunAsync($"delete '{normalized}'", ct => DeleteFileAsync(normalized, ct), cancellationToken);
    }

    public abstract ValueTask DisposeAsync();

    /// <summary>Connects and checks the root folder is there and listable.</summary>
    protected abstract Task TestRootAsync(CancellationToken cancellationToken);

    /// <summary>The entries of one folder; a missing folder throws <see cref="ConnectionFailure.NotFoundOnServer"/>.</summary>
    protected abstract Task<IReadOnlyList<RemoteEntry>> ListFolderAsync(string folder, CancellationToken cancellationToken);

    /// <summary>The files under a folder, in any order. By default walks the folders one listing at a time.</summary>
    protected virtual async Task<List<RemoteFile>> ListFilesAsync(string folder, bool recursive, CancellationToken cancellationToken)
    {
        var files = new List<RemoteFile>();
        var pending = new Queue<string>([folder]);
        while (pending.TryDequeue(out var current))
        {
            foreach (var entry in await ListFolderAsync(current, cancellationToken).ConfigureAwait(false))
            {
                var path = RemotePath.Join(current, entry.Name);
                if (!entry.IsFolder) files.Add(new RemoteFile(path, entry.Size, entry.Modified));
                else if (recursive) pending.Enqueue(path);
            }
        }
        return files;
    }

    /// <summary>The file at a path, or null when there is none (or it is a folder).</summary>
    protected abstract Task<RemoteFile?> StatFileAsync(string path, CancellationToken cancellationToken);

    /// <summary>A stream reading the file; a missing file throws <see cref="ConnectionFailure.NotFoundOnServer"/>.</summary>
    protected abstract Task<Stream> OpenFileAsync(string path, CancellationToken cancellationToken);

    /// <summary>Writes <paramref name="content"/> to a new file (replacing a leftover of an earlier attempt).</summary>
    protected abstract Task UploadFileAsync(string path, Stream content, CancellationToken cancellationToken);

    /// <summary>
    /// Renames a file. With <paramref name="replace"/> an existing target is replaced (atomically where the
    /// server can); without, an existing target fails with <see cref="ConnectionFailure.AlreadyExists"/>.
    /// </summary>
    protected abstract Task RenameAsync(string fromPath, string toPath, bool replace, CancellationToken cancellationToken);

    /// <summary>Creates a folder and its missing parents; an existing folder is fine.</summary>
    protected abstract Task CreateFolderAsync(string folder, CancellationToken cancellationToken);

    /// <summary>Deletes a file; a missing file is fine.</summary>
    protected abstract Task DeleteFileAsync(string path, CancellationToken cancellationToken);

    /// <summary>What went wrong, in the user's terms, for an exception the protocol library threw.</summary>
    protected internal abstract (ConnectionFailure Failure, string Reason) Classify(Exception exception);

    /// <summary>Drops a connection that failed, so that the next attempt makes a new one.</summary>
    protected virtual ValueTask ResetConnectionAsync() => ValueTask.CompletedTask;

    /// <summary>
    /// The atomic write: upload to a hidden temporary name in the target folder, then rename it to the target.
    /// A failed write removes the temporary file when the server still answers, and never renames it into place.
    /// </summary>
    protected virtual async Task WriteFileAsync(string path, Stream content, bool replace, CancellationToken cancellationToken)
    {
        await RunAsync($"create the folder of '{path}'", ct => CreateFolderAsync(RemotePath.Folder(path), ct), cancellationToken).ConfigureAwait(false);
        var temp = RemotePath.TempName(path);
        try
        {
            await UploadAsync(temp, path, content, cancellationToken).ConfigureAwait(false);
            await RunAsync($"rename the finished upload to '{path}'", ct => RenameAsync(temp, path, replace, ct), cancellationToken).ConfigureAwait(false);
        }
        catch (Exception)
        {
            await RemoveLeftoverAsync(temp).ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>
    /// Uploads the content. A seekable content is rewound and sent again after a transient fault; any other
    /// content has been consumed in part, so the fault ends the write.
    /// </summary>
    protected async Task UploadAsync(string uploadPath, string targetPath, Stream content, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(content);
        var start = content.CanSeek ? content.Position : -1;
        var policy = content.CanSeek ? Retry : RetryPolicy.None;
        var source = new WriteSourceStream(content);
        var attempt = 0;
        await policy.ExecuteAsync(ct =>
        {
            if (attempt++ > 0) content.Position = start;
            return RunOnceAsync($"write '{targetPath}'", c => UploadFileAsync(uploadPath, source, c), ct);
        }, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Runs a protocol operation with retries, turning its exceptions into <see cref="ConnectionException"/>s.</summary>
    protected Task<T> RunAsync<T>(string what, Func<CancellationToken, Task<T>> operation, CancellationToken cancellationToken) =>
        Retry.ExecuteAsync(ct => RunOnceAsync(what, operation, ct), cancellationToken);

    /// <summary>Runs a protocol operation with retries, turning its exceptions into <see cref="ConnectionException"/>s.</summary>
    protected Task RunAsync(string what, Func<CancellationToken, Task> operation, CancellationToken cancellationToken) =>
        Retry.ExecuteAsync(ct => RunOnceAsync(what, operation, ct), cancellationToken);

    private async Task<T> RunOnceAsync<T>(string what, Func<CancellationToken, Task<T>> operation, CancellationToken cancellationToken)
    {
        try
        {
            return await operation(cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw;
        }
        catch (Exception ex) when (WriteSourceStream.CallerFault(ex) is { } callerFault)
        {
            // The content the caller handed us failed, not the server: theirs to report.
            ExceptionDispatchInfo.Throw(callerFault);
            throw;
        }
        catch (ConnectionException ex)
        {
            if (ex.Transient) await ResetConnectionAsync().ConfigureAwait(false);
            throw;
        }
        catch (Exception ex)
        {
            var (failure, reason) = Classify(ex);
            var mapped = new ConnectionException(failure, $"{Display}: could not {what}: {reason}", ex);
            if (mapped.Transient) await ResetConnectionAsync().ConfigureAwait(false);
            throw mapped;
        }
    }

    private Task<bool> RunOnceAsync(string what, Func<CancellationToken, Task> operation, CancellationToken cancellationToken) =>
        RunOnceAsync(what, async ct =>
        {
            await operation(ct).ConfigureAwait(false);
            return true;
        }, cancellationToken);

    /// <summary>Removes a temporary file after a failed write, once, without retries.</summary>
    protected async Task RemoveLeftoverAsync(string temp)
    {
        try
        {
            await RunOnceAsync($"remove the unfinished '{temp}'", ct => DeleteFileAsync(temp, ct), CancellationToken.None).ConfigureAwait(false);
        }
        catch (ConnectionException)
        {
            // The write's own failure is what the caller must see; a hidden leftover on a server that
            // stopped answering is the lesser harm (it is never renamed into place).
        }
    }

    private async Task<string> FreeNameAsync(string path, CancellationToken cancellationToken)
    {
        foreach (var candidate in RemotePath.Alternatives(path).Take(10_000))
        {
            if (await StatAsync(candidate, cancellationToken).ConfigureAwait(false) is null) return candidate;
        }
        throw new ConnectionException(ConnectionFailure.AlreadyExists, $"{Display}: no free name like '{path}' (tried _1 to _10000).");
    }

    private static string FilePath(string path)
    {
        var normalized = RemotePath.Normalize(path);
        return normalized.Length > 0 ? normalized
            : throw new ConnectionException(ConnectionFailure.InvalidSettings, "Give a file path, not the root folder.");
    }
}
