using ConnectPlus.Engine.Connectors;
using ConnectPlus.Engine.Data;
using ConnectPlus.Engine.Runtime;

namespace ConnectPlus.Engine.Blocks.Files;

/// <summary>
/// Puts files into a folder of a file location (<see cref="IFileLocation.WriteAsync"/>: a temporary name
/// renamed when complete), streaming from the file's content, optionally through a zip.
/// </summary>
internal sealed class LocationDelivery(BlockContext context, IFileLocation location, string folder, FileConflict onConflict, bool zip) : IFileTarget
{
    private const string ZipExtension = ".zip";

    /// <inheritdoc />
    public string Where => folder.Length == 0 ? $"the root folder of {location.Display}" : $"'{folder}' on {location.Display}";

    /// <summary>Stops the run when the folder does not exist (Create folders is off).</summary>
    public async Task CheckFolderAsync(CancellationToken cancellationToken)
    {
        if (folder.Length == 0) return;
        try
        {
            var files = location.ListAsync(folder, recursive: false, cancellationToken).GetAsyncEnumerator(cancellationToken);
            await using (files.ConfigureAwait(false))
                await files.MoveNextAsync().ConfigureAwait(false);
        }
        catch (ConnectionException ex) when (ex.Failure == ConnectionFailure.NotFoundOnServer)
        {
            throw new BlockException($"The folder {Where} does not exist. Create it, or turn on Create folders.", ex) { Setting = "folder" };
        }
        catch (ConnectionException ex)
        {
            throw Fault(ex, $"Cannot look into the folder {Where}: {ex.Message}", null);
        }
    }

    /// <inheritdoc />
    public async Task<FileItem?> DeliverAsync(FileItem file, string name, CancellationToken cancellationToken)
    {
        var (fileName, entryName) = zip ? ZipNames(file, name) : (name, null);
        var path = LocationPath.Join(folder, fileName);
        if (onConflict is FileConflict.Skip or FileConflict.Fail
            && await StatAsync(path, fileName, cancellationToken).ConfigureAwait(false) is not null)
            return Refuse(file, fileName);
        string? written;
        // Opened before the write: a file that cannot be opened is the fault of the block that sent it, not of this connection.
        var content = await file.OpenReadAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await using (content.ConfigureAwait(false))
            {
                written = entryName is null
                    ? await location.WriteAsync(path, content, Mode, cancellationToken).ConfigureAwait(false)
                    : await ZipOnTheWay.WriteAsync(content, entryName, file.Modified,
                        (zipped, ct) => location.WriteAsync(path, zipped, Mode, ct), cancellationToken).ConfigureAwait(false);
            }
        }
        catch (ConnectionException ex)
        {
            throw Fault(ex, $"Cannot write {fileName} to {Where}: {ex.Message}", fileName);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new BlockException($"Cannot write {fileName} to {Where}: {ex.Message}", ex) { Setting = "folder", File = fileName };
        }
        if (written is null) return Refuse(file, fileName);
        var finalName = written[(written.LastIndexOf('/') + 1)..];
        if (!string.Equals(finalName, fileName, StringComparison.Ordinal))
            context.Log(RunLogLevel.Warning, $"{fileName} is already in {Where}; the new file is {finalName}.");
        context.Log(RunLogLevel.Debug, $"Wrote {file.Name} to '{written}' on {location.Display}.");
        context.ReportDelivered(LocationPath.Join(location.Display, written));
        return Written(file, written, finalName);
    }

    private ConflictMode Mode => onConflict switch
    {
        FileConflict.Replace => ConflictMode.Replace,
        FileConflict.Skip => ConflictMode.Skip,
        FileConflict.Fail => ConflictMode.Fail,
        _ => ConflictMode.Rename,
    };

    /// <summary>The zip's name and the entry's: members.csv → members.zip holding members.csv; a name ending in .zip is the zip's.</summary>
    internal static (string Zip, string Entry) ZipNames(FileItem file, string name)
    {
        if (name.EndsWith(ZipExtension, StringComparison.OrdinalIgnoreCase))
            return (name, FileNameTemplate.Sanitize(Path.GetFileName(file.Name)));
        var extension = Path.GetExtension(name);
        var stem = name[..^extension.Length];
        // ".env" has no stem to keep: ".env.zip" rather than a hidden ".zip".
        return ((stem.Length == 0 ? name : stem) + ZipExtension, name);
    }

    private async Task<RemoteFile?> StatAsync(string path, string fileName, CancellationToken cancellationToken)
    {
        try
        {
            return await location.StatAsync(path, cancellationToken).ConfigureAwait(false);
        }
        catch (ConnectionException ex)
        {
            throw Fault(ex, $"Cannot look for {fileName} in {Where}: {ex.Message}", fileName);
        }
    }

    private FileItem Written(FileItem file, string path, string name) =>
        new(name, ct => new ValueTask<Stream>(location.OpenReadAsync(path, ct)))
        {
            SourcePath = path,
            OriginName = file.OriginName ?? file.Name,
            Size = zip ? null : file.Size,
            Attributes = new Dictionary<string, string>(StringComparer.Ordinal)
            {
                [Sources.FileSourceRun.LocationAttribute] = location.Display,
                [Sources.FileSourceRun.PathAttribute] = path,
            },
        };

    // Skip: logs and returns null. Fail: throws.
    private FileItem? Refuse(FileItem file, string fileName)
    {
        if (onConflict == FileConflict.Fail)
        {
            throw new BlockException($"The folder {Where} already has a file named {fileName}. Move it away, or set On conflict to rename, replace or skip.")
            { Setting = "onConflict", File = fileName };
        }
        context.Log(RunLogLevel.Info, $"{fileName} is already in {Where}; {file.Name} was not written (On conflict is skip).");
        return null;
    }

    /// <summary>A connection fault as a block fault naming the setting to look at: the connection when it cannot be reached, else the folder.</summary>
    private static BlockException Fault(ConnectionException ex, string message, string? fileName)
    {
        var setting = ex.Failure is ConnectionFailure.NameNotResolved or ConnectionFailure.Refused or ConnectionFailure.Timeout
            or ConnectionFailure.AuthenticationFailed or ConnectionFailure.ServerIdentityRejected or ConnectionFailure.ConnectionLost
            ? "connection"
            : "folder";
        return new BlockException(message, ex) { Setting = setting, File = fileName };
    }
}
