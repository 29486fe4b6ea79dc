using System.Globalization;
using System.IO.Enumeration;
using ConnectPlus.Engine.Catalog;
using ConnectPlus.Engine.Data;
using ConnectPlus.Engine.Runtime;

namespace ConnectPlus.Engine.Blocks.Sources;

/// <summary>
/// Reads the files of a folder on the Connect+ machine, in name order. After the run it moves the
/// files it read: to the processed folder when the run succeeded, to the error folder when it failed;
/// a cancelled run leaves them in place to be read again.
/// </summary>
[Block("local-folder-source", 1, "Local folder", BlockCategory.Sources, Icon = "folder_open")]
[Output("files", PortKind.Files, Description = "Each file read, in name order.")]
public sealed class LocalFolderSourceBlock : Block<LocalFolderSourceSettings>, IRunCompletionHandler
{
    private const string FilesPort = "files";

    // Files handed to the next block; only these are moved after the run (the block instance lives for one run).
    private readonly List<ListedFile> _read = [];

    /// <inheritdoc />
    public override async Task RunAsync(BlockContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        var folder = Settings.FolderPath;
        if (!Directory.Exists(folder))
        {
            throw new BlockException($"The folder '{folder}' does not exist. Check the setting 'folder' and that Connect+ may read the folder.")
            {
                Setting = "folder",
                File = folder,
            };
        }
        var files = List(context, folder);
        foreach (var file in files)
        {
            _read.Add(file);
            await context.WriteAsync(FilesPort, FileItem.FromLocalFile(file.FullPath, file.SourcePath), cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Moves the files read: to the processed folder after a success (with or without rejected rows),
    /// to the error folder after a failure; after a cancellation they stay where they are.
    /// </summary>
    public Task OnRunCompletedAsync(BlockContext context, RunOutcome outcome, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (_read.Count == 0) return Task.CompletedTask;
        if (outcome == RunOutcome.Cancelled)
        {
            context.Log(RunLogLevel.Info, $"The run was cancelled: the {_read.Count} files read stay in {Settings.FolderPath} and will be read again.");
            return Task.CompletedTask;
        }
        var (target, kind) = outcome == RunOutcome.Failed ? (Settings.ErrorPath, "error") : (Settings.ProcessedPath, "processed");
        if (target is null)
        {
            context.Log(RunLogLevel.Info, $"No {kind} folder is set: the {_read.Count} files read stay in {Settings.FolderPath}.");
            return Task.CompletedTask;
        }
        var moved = 0;
        foreach (var file in _read)
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (Move(context, file, target, kind)) moved++;
        }
        var level = moved == _read.Count ? RunLogLevel.Info : RunLogLevel.Warning;
        context.Log(level, $"Moved {moved} of {_read.Count} files read to the {kind} folder {target}.");
        return Task.CompletedTask;
    }

    private List<ListedFile> List(BlockContext context, string folder)
    {
        var pattern = NamePattern.Create(Settings.FileNamePattern);
        var cutoff = context.Time.GetUtcNow().AddSeconds(-Settings.MinimumAgeSeconds);
        var excluded = new[] { Settings.ProcessedPath, Settings.ErrorPath }.OfType<string>().ToList();
        var options = new EnumerationOptions
        {
            RecurseSubdirectories = Settings.Recursive,
            // An unreadable subfolder fails the run rather than hiding its files.
            IgnoreInaccessible = false,
            AttributesToSkip = FileAttributes.Hidden | FileAttributes.System,
        };
        var entries = new FileSystemEnumerable<(string Path, string Name, DateTimeOffset Modified)>(
            folder, (ref FileSystemEntry e) => (e.ToFullPath(), e.FileName.ToString(), e.LastWriteTimeUtc), options)
        {
            ShouldIncludePredicate = (ref FileSystemEntry e) => !e.IsDirectory,
            ShouldRecursePredicate = (ref FileSystemEntry e) => !IsExcluded(e.ToFullPath(), excluded),
        };

        var matching = 0;
        var tooYoung = 0;
        var files = new List<ListedFile>();
        foreach (var (path, name, modified) in entries)
        {
            if (!NamePattern.IsMatch(pattern, name, "fileNamePattern")) continue;
            matching++;
            // With no minimum age, a file stamped in the future (a skewed clock) is read all the same.
            if (Settings.MinimumAgeSeconds > 0 && modified > cutoff)
            {
                tooYoung++;
                continue;
            }
            files.Add(new ListedFile(path, Path.GetRelativePath(folder, path)));
        }
        // Name order a person expects (case ignored), made total by the exact name so that every run agrees.
        files.Sort((a, b) => StringComparer.OrdinalIgnoreCase.Compare(a.SourcePath, b.SourcePath) is var c and not 0 ? c : string.CompareOrdinal(a.SourcePath, b.SourcePath));
        var taken = Settings.MaxFiles is { } max && files.Count > max ? files[..max] : files;
        context.Log(RunLogLevel.Info, Summary(folder, matching, tooYoung, taken.Count));
        return taken;
    }

    private string Summary(string folder, int matching, int tooYoung, int taken)
    {
        var where = Settings.Recursive ? $"{folder} and its subfolders" : folder;
        var text = $"{matching} files in {where} match '{Settings.FileNamePattern}'";
        if (tooYoung > 0) text += $"; {tooYoung} changed less than {Settings.MinimumAgeSeconds} s ago are left for a later run";
        if (taken < matching - tooYoung) text += $"; reading the first {taken} (max files), the rest wait for a later run";
        return text + $". Reading {taken}.";
    }

    private static bool IsExcluded(string directory, List<string> excluded) =>
        excluded.Exists(x => LocalPath.SameFolder(x, directory));

    private static bool Move(BlockContext context, ListedFile file, string target, string kind)
    {
        try
        {
            var destination = FreeName(Path.Combine(target, file.RelativePath), context.RunStarted);
            Directory.CreateDirectory(Path.GetDirectoryName(destination)!);
            File.Move(file.FullPath, destination);
            context.Log(RunLogLevel.Info, $"Moved {file.FullPath} to {destination}.");
            return true;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // One file that cannot move must not keep the others where they are; it is reported and read again next run.
            context.Log(RunLogLevel.Warning, $"Could not move {file.FullPath} to the {kind} folder {target}: {ex.Message} The file stays where it is.");
            return false;
        }
    }

    /// <summary>The destination itself when free, otherwise the name with the run's UTC start time (and a counter) added.</summary>
    private static string FreeName(string destination, DateTimeOffset runStarted)
    {
        if (!File.Exists(destination) && !Directory.Exists(destination)) return destination;
        var folder = Path.GetDirectoryName(destination)!;
        var stem = Path.GetFileNameWithoutExtension(destination);
        var extension = Path.GetExtension(destination);
        var stamp = runStarted.UtcDateTime.ToString("yyyyMMdd-HHmmss", CultureInfo.InvariantCulture);
        var candidate = Path.Combine(folder, $"{stem}_{stamp}{extension}");
        for (var n = 2; File.Exists(candidate) || Directory.Exists(candidate); n++)
            candidate = Path.Combine(folder, $"{stem}_{stamp}_{n}{extension}");
        return candidate;
    }

    /// <summary>A file found in the folder: its full path and its path relative to the folder.</summary>
    private sealed record ListedFile(string FullPath, string RelativePath)
    {
        /// <summary>The relative path with '/' separators, as the next blocks see it.</summary>
        public string SourcePath => RelativePath.Replace(Path.DirectorySeparatorChar, '/');
    }
}
