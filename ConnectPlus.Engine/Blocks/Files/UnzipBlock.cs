using System.Buffers;
using System.IO.Compression;
using System.Text.RegularExpressions;
using ConnectPlus.Engine.Catalog;
using ConnectPlus.Engine.Data;
using ConnectPlus.Engine.Runtime;

namespace ConnectPlus.Engine.Blocks.Files;

/// <summary>
/// Extracts the files of each zip it receives (those whose names match the pattern) and passes them on,
/// each with the attribute "entry" holding its path in the zip. Files that are not zips pass through
/// unchanged (or stop the run, see the settings). Guards against zip bombs and entries that would land
/// outside the work folder.
/// </summary>
[Block("unzip", 1, "Unzip", BlockCategory.Files, Icon = "folder_zip")]
[Input("files", PortKind.Files, Description = "Zip files; other files pass through or stop the run.")]
[Output("files", PortKind.Files, Description = "The files extracted, in the order of the zip, and the files that were not zips.")]
public sealed class UnzipBlock : Block<UnzipSettings>
{
    /// <summary>The attribute of an extracted file that holds its full path inside the zip.</summary>
    public const string EntryAttribute = "entry";

    private const string Port = "files";
    private const int BufferSize = 1 << 16;

    // Small entries are not judged on their compression ratio: a few KB of repeated text compress
    // very well without threatening anything.
    private const long UnjudgedEntrySize = 1L << 20;

    // Zip containers that are documents, not archives to open.
    private static readonly string[] ZipBasedDocuments =
        [".xlsx", ".xlsm", ".xltx", ".docx", ".docm", ".pptx", ".ods", ".odt", ".odp", ".jar", ".apk", ".epub"];

    private int _zips;

    /// <inheritdoc />
    public override async Task RunAsync(BlockContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        var pattern = NamePattern.Create(Settings.EntryNamePattern);
        await foreach (var file in context.ReadFilesAsync(Port, cancellationToken).ConfigureAwait(false))
        {
            if (await IsZipAsync(file, cancellationToken).ConfigureAwait(false))
            {
                await ExtractAsync(context, file, pattern, cancellationToken).ConfigureAwait(false);
                continue;
            }
            if (!Settings.PassThroughNonZip)
            {
                throw new BlockException($"'{file}' is not a zip. Send only zip files to this block, or turn on 'passThroughNonZip' to pass other files on unchanged.")
                {
                    Setting = "passThroughNonZip",
                    File = file.ToString(),
                };
            }
            context.Log(RunLogLevel.Info, $"'{file}' is not a zip: passed on unchanged.");
            await context.WriteAsync(Port, file, cancellationToken).ConfigureAwait(false);
        }
    }

    private static async Task<bool> IsZipAsync(FileItem file, CancellationToken cancellationToken)
    {
        var extension = Path.GetExtension(file.Name);
        if (extension.Equals(".zip", StringComparison.OrdinalIgnoreCase)) return true;
        if (ZipBasedDocuments.Contains(extension, StringComparer.OrdinalIgnoreCase)) return false;
        var stream = await file.OpenReadAsync(cancellationToken).ConfigureAwait(false);
        await using (stream.ConfigureAwait(false))
        {
            var head = new byte[4];
            var read = await stream.ReadAtLeastAsync(head, head.Length, throwOnEndOfStream: false, cancellationToken).ConfigureAwait(false);
            // A local file header (PK 3 4) or the end record of an empty zip (PK 5 6).
            return read == head.Length && head[0] == 'P' && head[1] == 'K' && ((head[2] == 3 && head[3] == 4) || (head[2] == 5 && head[3] == 6));
        }
    }

    private async Task ExtractAsync(BlockContext context, FileItem zip, Regex pattern, CancellationToken cancellationToken)
    {
        var number = ++_zips;
        var folder = Path.Combine(context.WorkFolder, $"zip-{number}");
        var stream = await OpenSeekableAsync(context, zip, Path.Combine(context.WorkFolder, $"zip-{number}.download"), cancellationToken).ConfigureAwait(false);
        await using (stream.ConfigureAwait(false))
        {
            var archive = await OpenArchiveAsync(zip, stream, cancellationToken).ConfigureAwait(false);
            await using (archive.ConfigureAwait(false))
            {
                var plan = Plan(zip, archive, folder, pattern);
                long total = 0;
                foreach (var (entry, path) in plan)
                {
                    total += await ExtractEntryAsync(zip, entry, path, total, stream.Length, cancellationToken).ConfigureAwait(false);
                    var item = FileItem.FromLocalFile(path, $"{zip}/{entry.FullName}", zip.OriginName ?? zip.Name)
                        .WithAttributes(new Dictionary<string, string>(StringComparer.Ordinal) { [EntryAttribute] = entry.FullName });
                    await context.WriteAsync(Port, item, cancellationToken).ConfigureAwait(false);
                }
                var skipped = archive.Entries.Count(e => !IsDirectory(e)) - plan.Count;
                context.Log(RunLogLevel.Info, $"Extracted {plan.Count} files ({ByteSize.Format(total)}) from '{zip}'"
                    + (skipped > 0 ? $"; {skipped} entries do not match '{Settings.EntryNamePattern}'." : "."));
            }
        }
    }

    /// <summary>The zip's content as a seekable stream (a zip's directory is at its end): spooled to the work folder when the source cannot seek.</summary>
    private static async Task<Stream> OpenSeekableAsync(BlockContext context, FileItem zip, string spoolPath, CancellationToken cancellationToken)
    {
        var source = await zip.OpenReadAsync(cancellationToken).ConfigureAwait(false);
        if (source.CanSeek) return source;
        context.Log(RunLogLevel.Debug, $"'{zip}' cannot be read out of order: copying it to the work folder first.");
        await using (source.ConfigureAwait(false))
        {
            var spool = new FileStream(spoolPath, FileMode.CreateNew, FileAccess.ReadWrite, FileShare.None, BufferSize, FileOptions.Asynchronous | FileOptions.DeleteOnClose);
            try
            {
                await source.CopyToAsync(spool, BufferSize, cancellationToken).ConfigureAwait(false);
                spool.Position = 0;
                return spool;
            }
            catch
            {
                await spool.DisposeAsync().ConfigureAwait(false);
                throw;
            }
        }
    }

    private static async Task<ZipArchive> OpenArchiveAsync(FileItem zip, Stream stream, CancellationToken cancellationToken)
    {
        try
        {
            return await ZipArchive.CreateAsync(stream, ZipArchiveMode.Read, leaveOpen: true, entryNameEncoding: null, cancellationToken).ConfigureAwait(false);
        }
        catch (InvalidDataException ex)
        {
            throw NotAZip(zip, ex.Message, ex);
        }
    }

    /// <summary>
    /// Checks every entry before anything is written: no path may lead outside the zip's folder, no file
    /// may appear twice, and the files to extract must fit the entry limit and (as declared) the size limit.
    /// </summary>
    private List<(ZipArchiveEntry Entry, string Path)> Plan(FileItem zip, ZipArchive archive, string folder, Regex pattern)
    {
        var root = Path.GetFullPath(folder);
        var comparison = LocalPath.Comparison;
        var plan = new List<(ZipArchiveEntry, string)>();
        var targets = new HashSet<string>(LocalPath.Comparer);
        long declared = 0;
        foreach (var entry in archive.Entries)
        {
            // Zips made on Windows may separate folders with '\'; "..\x" must not slip through on Linux.
            var name = entry.FullName.Replace('\\', '/');
            if (name.Contains('\0', StringComparison.Ordinal)) throw NotAZip(zip, $"an entry name holds a NUL character ('{entry.FullName}').");
            var target = Path.GetFullPath(Path.Combine(root, name));
            var inside = target.StartsWith(root + Path.DirectorySeparatorChar, comparison)
                || (IsDirectory(entry) && LocalPath.SameFolder(target, root));
            if (!inside)
            {
                throw new BlockException($"'{zip}' holds the entry '{entry.FullName}', whose path leads outside the folder it is extracted to (a 'zip slip' attack or a broken zip). Nothing was extracted; check where the zip comes from.")
                {
                    File = zip.ToString(),
                };
            }
            if (IsDirectory(entry) || !NamePattern.IsMatch(pattern, name[(name.LastIndexOf('/') + 1)..], "entryNamePattern")) continue;
            if (!targets.Add(target)) throw NotAZip(zip, $"it holds the entry '{entry.FullName}' twice, so which copy is meant is unclear.");
            if (plan.Count == Settings.MaxEntries)
            {
                throw Limit(zip, "maxEntries", $"'{zip}' holds more than {Settings.MaxEntries} files to extract, the limit set in 'maxEntries' (the first one past it is '{entry.FullName}'). Nothing was extracted. If the zip is genuine, raise the limit.");
            }
            plan.Add((entry, target));
            declared = entry.Length > long.MaxValue - declared ? long.MaxValue : declared + entry.Length;
        }
        if (declared > Settings.MaxTotalUncompressedBytes)
        {
            throw Limit(zip, "maxTotalUncompressedBytes", $"'{zip}' declares {ByteSize.Format(declared)} in the files to extract, more than the {ByteSize.Format(Settings.MaxTotalUncompressedBytes)} set in 'maxTotalUncompressedBytes' (the last entry counted is '{plan[^1].Item1.FullName}'). Nothing was extracted. If the zip is genuine, raise the limit.");
        }
        return plan;
    }

    /// <summary>Writes one entry to disk, counting the bytes actually written against the limits (headers can lie); returns them.</summary>
    private async Task<long> ExtractEntryAsync(FileItem zip, ZipArchiveEntry entry, string path, long totalBefore, long zipLength, CancellationToken cancellationToken)
    {
        if (entry.IsEncrypted)
        {
            throw new BlockException($"'{zip}' entry '{entry.FullName}' is protected by a password, which Connect+ cannot open. Ask for the zip without a password.")
            {
                File = zip.ToString(),
            };
        }
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        // The decompressor cannot read more compressed bytes than the zip holds, whatever the header says.
        var compressed = Math.Max(1, Math.Min(entry.CompressedLength, zipLength));
        var buffer = ArrayPool<byte>.Shared.Rent(BufferSize);
        long written = 0;
        try
        {
            var input = await entry.OpenAsync(cancellationToken).ConfigureAwait(false);
            await using (input.ConfigureAwait(false))
            {
                var output = new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.None, BufferSize, FileOptions.Asynchronous);
                await using (output.ConfigureAwait(false))
                {
                    int read;
                    while ((read = await input.ReadAsync(buffer.AsMemory(0, BufferSize), cancellationToken).ConfigureAwait(false)) > 0)
                    {
                        written += read;
                        CheckLimits(zip, entry, written, totalBefore + written, compressed);
                        await output.WriteAsync(buffer.AsMemory(0, read), cancellationToken).ConfigureAwait(false);
                    }
                }
            }
        }
        catch (InvalidDataException ex)
        {
            throw NotAZip(zip, $"entry '{entry.FullName}' cannot be read: {ex.Message}", ex);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
        File.SetLastWriteTimeUtc(path, entry.LastWriteTime.UtcDateTime);
        return written;
    }

    private void CheckLimits(FileItem zip, ZipArchiveEntry entry, long written, long total, long compressed)
    {
        if (total > Settings.MaxTotalUncompressedBytes)
        {
            throw Limit(zip, "maxTotalUncompressedBytes", $"'{zip}' expands to more than {ByteSize.Format(Settings.MaxTotalUncompressedBytes)}, the limit set in 'maxTotalUncompressedBytes'; extraction stopped in entry '{entry.FullName}'. It may be a zip bomb; if the zip is genuine, raise the limit.");
        }
        if (written > UnjudgedEntrySize && written > (double)compressed * Settings.MaxCompressionRatio)
        {
            throw Limit(zip, "maxCompressionRatio", $"'{zip}' entry '{entry.FullName}' expands to more than {Settings.MaxCompressionRatio} times its compressed size ({ByteSize.Format(compressed)}), the limit set in 'maxCompressionRatio'; extraction stopped. It looks like a zip bomb; if the zip is genuine, raise the limit.");
        }
    }

    private static bool IsDirectory(ZipArchiveEntry entry) => entry.FullName.EndsWith('/') || entry.FullName.EndsWith('\\');

    private static BlockException NotAZip(FileItem zip, string reason, Exception? inner = null)
    {
        var message = $"'{zip}' is not a valid zip: {reason}";
        return inner is null ? new(message) { File = zip.ToString() } : new(message, inner) { File = zip.ToString() };
    }

    private static BlockException Limit(FileItem zip, string setting, string message) =>
        new(message) { Setting = setting, File = zip.ToString() };
}
