using ConnectPlus.Engine.Catalog;
using ConnectPlus.Engine.Connectors.Local;
using ConnectPlus.Engine.Delivery;
using ConnectPlus.Engine.Runtime;

namespace ConnectPlus.Engine.Blocks.Sources;

/// <summary>
/// Reads the files of a folder on the Connect+ machine, in name order. After the run it moves the
/// files it read: to the processed folder when the run succeeded, to the error folder when it failed;
/// a cancelled run leaves them in place to be read again. Where the host keeps a processed-file ledger,
/// a file processed once is never read again, even when it could not be moved.
/// </summary>
[Block("local-folder-source", 1, "Local folder", BlockCategory.Sources, Icon = "folder_open")]
[Output("files", PortKind.Files, Description = "Each file read, in name order.")]
public sealed class LocalFolderSourceBlock : Block<LocalFolderSourceSettings>, IRunCompletionHandler
{
    private FileSourceRun? _run;

    /// <inheritdoc />
    public override async Task RunAsync(BlockContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        _run = RunOf(Settings, context.Services?.GetService(typeof(IProcessedFileLedger)) as IProcessedFileLedger);
        await _run.RunAsync(context, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The picking and moving of files these settings describe (the run and the file-arrival probe share it).</summary>
    internal static FileSourceRun RunOf(LocalFolderSourceSettings settings, IProcessedFileLedger? ledger)
    {
        var folder = settings.FolderPath;
        if (!Directory.Exists(folder))
        {
            throw new BlockException($"The folder '{folder}' does not exist. Check the setting 'folder' and that Connect+ may read the folder.")
            {
                Setting = "folder",
                File = folder,
            };
        }
        // One location holds the folder and both move folders, which may lie outside it.
        var moveFolders = new[] { settings.ProcessedPath, settings.ErrorPath }.OfType<string>().ToList();
        var root = CommonFolder([folder, .. moveFolders])
            ?? throw new BlockException($"The processed and error folders must be on the same drive as the folder {folder}.") { Setting = "processedFolder" };
        var source = new SourceFolder
        {
            Location = new LocalFileLocation(root),
            Folder = Relative(root, folder),
            ProcessedFolder = settings.ProcessedPath is { } processed ? Relative(root, processed) : null,
            ErrorFolder = settings.ErrorPath is { } error ? Relative(root, error) : null,
            LocalRoot = root,
            PathComparison = LocalPath.Comparison,
        };
        var options = new FileSourceOptions(settings.FileNamePattern, settings.Recursive, settings.MinimumAgeSeconds, settings.MaxFiles,
            [], "folder", null, "max files");
        return new FileSourceRun(source, options, ledger);
    }

    /// <summary>
    /// Moves the files read: to the processed folder after a success (with or without rejected rows),
    /// to the error folder after a failure; after a cancellation they stay where they are.
    /// </summary>
    public Task OnRunCompletedAsync(BlockContext context, RunOutcome outcome, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        return _run?.CompleteAsync(context, outcome, cancellationToken) ?? Task.CompletedTask;
    }

    /// <summary>The deepest folder that holds all the given full paths, or null when they share none (other drives).</summary>
    internal static string? CommonFolder(IReadOnlyList<string> folders)
    {
        string? common = Path.TrimEndingDirectorySeparator(folders[0]);
        foreach (var folder in folders.Skip(1))
        {
            while (common is not null && !IsSameOrInside(Path.TrimEndingDirectorySeparator(folder), common))
                common = Path.GetDirectoryName(common);
        }
        return common;
    }

    private static bool IsSameOrInside(string folder, string parent)
    {
        if (LocalPath.SameFolder(folder, parent)) return true;
        var prefix = Path.EndsInDirectorySeparator(parent) ? parent : parent + Path.DirectorySeparatorChar;
        return folder.StartsWith(prefix, LocalPath.Comparison);
    }

    private static string Relative(string root, string folder) =>
        LocationPath.Normalize(Path.GetRelativePath(root, folder).Replace(Path.DirectorySeparatorChar, '/')) ?? "";
}
