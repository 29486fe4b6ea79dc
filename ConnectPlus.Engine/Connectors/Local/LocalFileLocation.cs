using System.Runtime.CompilerServices;

namespace ConnectPlus.Engine.Connectors.Local;

/// <summary>Files in a local folder. Paths are relative to the root folder and may not leave it.</summary>
public sealed class LocalFileLocation : IFileLocation
{
    private readonly string _root;

    public LocalFileLocation(string rootFolder)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(rootFolder);
        _root = Path.GetFullPath(rootFolder);
    }

    public string Display => $"file://{_root}";

    public Task TestAsync(CancellationToken cancellationToken)
    {
        if (!Directory.Exists(_root))
            throw new ConnectionException(ConnectionFailure.NotFoundOnServer, $"The folder {_root} does not exist.");
        try
        {
            _ = Directory.EnumerateFileSystemEntries(_root).FirstOrDefault();
        }
        catch (UnauthorizedAccessException ex)
        {
            throw new ConnectionException(ConnectionFailure.PermissionDenied, $"No permission to list {_root}.", ex);
        }
        return Task.CompletedTask;
    }

    public async IAsyncEnumerable<RemoteFile> ListAsync(string folder, bool recursive, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var full = Full(folder);
        if (!Directory.Exists(full))
            throw new ConnectionException(ConnectionFailure.NotFoundOnServer, $"The folder '{folder}' does not exist in {Display}.");
        IEnumerable<FileInfo> files;
        try
        {
            files = new DirectoryInfo(full)
                .EnumerateFiles("*", new EnumerationOptions { RecurseSubdirectories = recursive, IgnoreInaccessible = false, AttributesToSkip = 0 })
                .ToList();
        }
        catch (UnauthorizedAccessException ex)
        {
            throw new ConnectionException(ConnectionFailure.PermissionDenied, $"No permission to list '{folder}' in {Display}.", ex);
        }
        foreach (var file in files.OrderBy(f => f.FullName, StringComparer.Ordinal))
        {
            cancellationToken.ThrowIfCancellationRequested();
            yield return ToRemote(file);
        }
        await Task.CompletedTask.ConfigureAwait(false);
    }

    public Task<RemoteFile?> StatAsync(string path, CancellationToken cancellationToken)
    {
        var info = new FileInfo(Full(path));
        return Task.FromResult(info.Exists ? ToRemote(info) : null);
    }

    public Task<Stream> OpenReadAsync(string path, CancellationToken cancellationToken)
    {
        try
        {
            return Task.FromResult<Stream>(new FileStream(Full(path), FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16,
                FileOptions.SequentialScan | FileOptions.Asynchronous));
        }
        catch (Exception ex) when (ex is FileNotFoundException or DirectoryNotFoundException)
        {
            throw new ConnectionException(ConnectionFailure.NotFoundOnServer, $"The file '{path}' does not exist in {Display}.", ex);
        }
        catch (UnauthorizedAccessException ex)
        {
            throw new ConnectionException(ConnectionFailure.PermissionDenied, $"No permission to read '{path}' in {Display}.", ex);
        }
    }

    public async Task<string?> WriteAsync(string path, Stream content, ConflictMode onConflict, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(content);
        try
        {
            return await WriteFileAsync(path, content, onConflict, cancellationToken).ConfigureAwait(false);
        }
        catch (UnauthorizedAccessException ex)
        {
            throw new ConnectionException(ConnectionFailure.PermissionDenied, $"No permission to write '{path}' in {Display}.", ex);
        }
    }

    private async Task<string?> WriteFileAsync(string path, Stream content, ConflictMode onConflict, CancellationToken cancellationToken)
    {
        var target = Full(path);
        var folder = Path.GetDirectoryName(target)!;
        Directory.CreateDirectory(folder);
        if (File.Exists(target))
        {
            switch (onConflict)
            {
                case ConflictMode.Skip: return null;
                case ConflictMode.Fail: throw new ConnectionException(ConnectionFailure.AlreadyExists, $"'{path}' already exists in {Display} (on conflict: fail).");
                case ConflictMode.Rename: target = FreeName(target); break;
            }
        }
        var temp = Path.Combine(folder, $".{Path.GetFileName(target)}.{Guid.NewGuid():N}.part");
        try
        {
            var output = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16, FileOptions.Asynchronous);
            await using (output.ConfigureAwait(false))
            {
                await content.CopyToAsync(output, cancellationToken).ConfigureAwait(false);
                await output.FlushAsync(cancellationToken).ConfigureAwait(false);
                // On disk before the rename: after a power cut the target holds the whole content or is not there,
                // never a complete name over an empty or partial file (what ext4/xfs can leave without it).
                output.Flush(flushToDisk: true);
            }
            File.Move(temp, target, overwrite: onConflict == ConflictMode.Replace);
        }
        catch
        {
            File.Delete(temp);
            throw;
        }
        return Relative(target);
    }

    public Task MoveAsync(string fromPath, string toPath, CancellationToken cancellationToken)
    {
        var target = Full(toPath);
        Directory.CreateDirectory(Path.GetDirectoryName(target)!);
        try
        {
            File.Move(Full(fromPath), target, overwrite: false);
        }
        catch (Exception ex) when (ex is FileNotFoundException or DirectoryNotFoundException)
        {
            throw new ConnectionException(ConnectionFailure.NotFoundOnServer, $"Cannot move '{fromPath}': it does not exist in {Display}.", ex);
        }
        catch (UnauthorizedAccessException ex)
        {
            throw new ConnectionException(ConnectionFailure.PermissionDenied, $"No permission to move '{fromPath}' to '{toPath}' in {Display}.", ex);
        }
        catch (IOException ex) when (File.Exists(target))
        {
            throw new ConnectionException(ConnectionFailure.AlreadyExists, $"Cannot move '{fromPath}' to '{toPath}': the target exists.", ex);
        }
        return Task.CompletedTask;
    }

    public Task DeleteAsync(string path, CancellationToken cancellationToken)
    {
        var full = Full(path);
        try
        {
            // File.Delete accepts a missing file but not a missing folder; both mean there is nothing to delete.
            if (File.Exists(full)) File.Delete(full);
        }
        catch (UnauthorizedAccessException ex)
        {
            throw new ConnectionException(ConnectionFailure.PermissionDenied, $"No permission to delete '{path}' in {Display}.", ex);
        }
        return Task.CompletedTask;
    }

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;

    private string Full(string relative)
    {
        var full = Path.GetFullPath(Path.Combine(_root, relative.TrimStart('/')));
        // A root such as "/" or "C:\" already ends with the separator.
        var inside = Path.EndsInDirectorySeparator(_root) ? _root : _root + Path.DirectorySeparatorChar;
        if (full != _root && !full.StartsWith(inside, StringComparison.Ordinal))
            throw new ConnectionException(ConnectionFailure.InvalidSettings, $"The path '{relative}' leaves the connection's folder {_root}.");
        return full;
    }

    private string Relative(string full) => Path.GetRelativePath(_root, full).Replace(Path.DirectorySeparatorChar, '/');

    private RemoteFile ToRemote(FileInfo file) => new(Relative(file.FullName), file.Length, file.LastWriteTimeUtc);

    private static string FreeName(string target)
    {
        var folder = Path.GetDirectoryName(target)!;
        var stem = Path.GetFileNameWithoutExtension(target);
        var extension = Path.GetExtension(target);
        for (var n = 1; ; n++)
        {
            var candidate = Path.Combine(folder, $"{stem}_{n}{extension}");
            if (!File.Exists(candidate)) return candidate;
        }
    }
}
