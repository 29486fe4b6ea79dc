using ConnectPlus.Engine.Data;
using ConnectPlus.Engine.Runtime;

namespace ConnectPlus.Engine.Blocks.Files;

/// <summary>
/// Puts one file into a folder atomically: the content goes to a hidden temporary name in the same
/// folder (<c>.name.part-RUN</c>), is flushed to disk, and is then renamed to its final name in one
/// step; a program watching the folder sees the whole file or nothing. When anything fails, the
/// temporary file is deleted.
/// </summary>
internal sealed class LocalFolderDelivery(BlockContext context, string folder, FileConflict onConflict) : IFileTarget
{
    private const int MaxRenames = 10_000;

    // Files in the run's work folder are the run's own copies (this block's work folder lives inside it);
    // one that reaches only this block may be moved rather than copied.
    private readonly string _runWorkFolder = Path.GetDirectoryName(context.WorkFolder)!;
    private readonly bool _soleReceiver = context.IsSoleReceiver(FileDestinationRun.FilesPort);

    /// <inheritdoc />
    public string Where => folder;

    /// <inheritdoc />
    async Task<FileItem?> IFileTarget.DeliverAsync(FileItem file, string name, CancellationToken cancellationToken)
    {
        var move = _soleReceiver && IsInside(file.LocalPath, _runWorkFolder);
        var path = await DeliverAsync(file, name, move, cancellationToken).ConfigureAwait(false);
        return path is null ? null : FileItem.FromLocalFile(path, originName: file.OriginName);
    }

    // Extensions that wrap another (data.csv.gz): a number goes before both.
    private static readonly string[] WrapperExtensions = [".gz", ".bz2", ".xz", ".zst", ".pgp", ".gpg", ".asc", ".enc"];

    /// <summary>
    /// Delivers the file under <paramref name="name"/>; returns its final path, or null when it was
    /// skipped. With <paramref name="move"/>, its <see cref="FileItem.LocalPath"/> is moved instead of
    /// copied (the caller owns the file).
    /// </summary>
    public async Task<string?> DeliverAsync(FileItem file, string name, bool move, CancellationToken cancellationToken)
    {
        var target = Path.Combine(folder, name);
        if (File.Exists(target) && onConflict is FileConflict.Skip or FileConflict.Fail) return Refuse(file, target);
        var temp = Path.Combine(folder, $".{name}.part-{FileNameTemplate.Sanitize(context.RunId)}");
        try
        {
            if (move) File.Move(file.LocalPath!, temp, overwrite: true);
            else await CopyAsync(file, temp, cancellationToken).ConfigureAwait(false);
            var final = Commit(temp, target);
            if (final is null) return Refuse(file, target, temp);
            context.Log(RunLogLevel.Debug, $"{(move ? "Moved" : "Copied")} {file.Name} to {final}.");
            context.ReportDelivered(final);
            return final;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            Remove(temp);
            throw new BlockException($"Cannot write {name} to the folder {folder}: {ex.Message}", ex) { Setting = "folder", File = name };
        }
        catch
        {
            Remove(temp);
            throw;
        }
    }

    private static async Task CopyAsync(FileItem file, string temp, CancellationToken cancellationToken)
    {
        var source = await file.OpenReadAsync(cancellationToken).ConfigureAwait(false);
        await using (source.ConfigureAwait(false))
        {
            var copy = new FileStream(temp, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 16, FileOptions.Asynchronous);
            await using (copy.ConfigureAwait(false))
            {
                await source.CopyToAsync(copy, 1 << 20, cancellationToken).ConfigureAwait(false);
                await copy.FlushAsync(cancellationToken).ConfigureAwait(false);
                // The rename must not reach the disk before the data does (a crash would leave a short file).
                copy.Flush(flushToDisk: true);
            }
        }
    }

    // Renames the temporary file as the conflict mode says; null when the target appeared meanwhile and is to be kept.
    private string? Commit(string temp, string target)
    {
        switch (onConflict)
        {
            case FileConflict.Replace:
                File.Move(temp, target, overwrite: true);
                return target;
            case FileConflict.Rename:
                for (var n = 0; n <= MaxRenames; n++)
                {
                    var candidate = n == 0 ? target : Numbered(target, n);
                    if (TryMove(temp, candidate))
                    {
                        if (n > 0) context.Log(RunLogLevel.Warning, $"{Path.GetFileName(target)} is already in {folder}; the new file is {Path.GetFileName(candidate)}.");
                        return candidate;
                    }
                }
                throw new BlockException($"The folder {folder} already has {Path.GetFileName(target)} and {MaxRenames} numbered copies of it. Clean up the folder, or set On conflict to replace.")
                { Setting = "onConflict", File = Path.GetFileName(target) };
            default:
                return TryMove(temp, target) ? target : null;
        }
    }

    private static bool TryMove(string temp, string target)
    {
        try
        {
            File.Move(temp, target, overwrite: false);
            return true;
        }
        catch (IOException) when (File.Exists(target))
        {
            return false;
        }
    }

    // Skip: logs and returns null. Fail: throws.
    private string? Refuse(FileItem file, string target, string? temp = null)
    {
        if (temp is not null) Remove(temp);
        var name = Path.GetFileName(target);
        if (onConflict == FileConflict.Fail)
        {
            throw new BlockException($"The folder {folder} already has a file named {name}. Move it away, or set On conflict to rename, replace or skip.")
            { Setting = "onConflict", File = name };
        }
        context.Log(RunLogLevel.Info, $"{name} is already in {folder}; {file.Name} was not written (On conflict is skip).");
        return null;
    }

    private void Remove(string temp)
    {
        try
        {
            File.Delete(temp);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            context.Log(RunLogLevel.Warning, $"Could not remove the temporary file {temp}: {ex.Message} Delete it by hand.");
        }
    }

    /// <summary>name.csv → name_n.csv; data.csv.gz → data_n.csv.gz; README → README_n.</summary>
    internal static string Numbered(string path, int n)
    {
        var directory = Path.GetDirectoryName(path) ?? "";
        var name = Path.GetFileName(path);
        var extension = Path.GetExtension(name);
        var stem = name[..^extension.Length];
        if (WrapperExtensions.Contains(extension, StringComparer.OrdinalIgnoreCase) && Path.GetExtension(stem) is { Length: > 0 } inner)
        {
            extension = inner + extension;
            stem = stem[..^inner.Length];
        }
        if (stem.Length == 0)
        {
            // ".env": no stem to number before the extension.
            stem = name;
            extension = "";
        }
        return Path.Combine(directory, $"{stem}_{n}{extension}");
    }

    private static bool IsInside(string? path, string folder)
    {
        if (path is null) return false;
        return Path.GetFullPath(path).StartsWith(Path.TrimEndingDirectorySeparator(Path.GetFullPath(folder)) + Path.DirectorySeparatorChar, LocalPath.Comparison);
    }
}
