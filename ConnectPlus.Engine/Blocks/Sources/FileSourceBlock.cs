using ConnectPlus.Engine.Catalog;
using ConnectPlus.Engine.Connectors;
using ConnectPlus.Engine.Delivery;
using ConnectPlus.Engine.Runtime;

namespace ConnectPlus.Engine.Blocks.Sources;

/// <summary>
/// Reads the files of a folder on a connection (local folder, SFTP, FTP or S3), in name order, or in file
/// sets that wait until all their files are there. Files still being written can be left for a later run.
/// Each file's content is streamed from the connection when the next block opens it. After the run the files
/// read go to the processed folder when the run succeeded, to the error folder when it failed; a cancelled run
/// leaves them in place to be read again. Where the host keeps a processed-file ledger, a file processed once
/// is never read again, even when it could not be moved.
/// </summary>
[Block("file-source", 1, "File source", BlockCategory.Sources, Icon = "cloud_download")]
[Output("files", PortKind.Files, Description = "Each file read, in name order (file sets: set by set, in pattern order).")]
public sealed class FileSourceBlock : Block<FileSourceSettings>, IRunCompletionHandler
{
    private FileSourceRun? _run;

    /// <inheritdoc />
    public override async Task RunAsync(BlockContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        var location = await context.OpenFileLocationAsync(Settings.Connection, "connection", cancellationToken).ConfigureAwait(false);
        _run = RunOf(Settings, location, context.Services?.GetService(typeof(IProcessedFileLedger)) as IProcessedFileLedger);
        await _run.RunAsync(context, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The picking and moving of files these settings describe, on the connection's location (the run and the file-arrival probe share it).</summary>
    internal static FileSourceRun RunOf(FileSourceSettings settings, IFileLocation location, IProcessedFileLedger? ledger)
    {
        var source = new SourceFolder
        {
            Location = location,
            Folder = settings.FolderPath ?? "",
            ProcessedFolder = settings.ProcessedPath,
            ErrorFolder = settings.ErrorPath,
        };
        var options = new FileSourceOptions(settings.FileNamePattern, settings.Recursive, settings.MinimumAgeSeconds, settings.MaxFilesPerRun,
            settings.FileSet ?? [], "sourceFolder", "connection", "max files per run");
        return new FileSourceRun(source, options, ledger);
    }

    /// <summary>Records the outcome, moves the files read, and closes the connection (the next blocks have read the files by now).</summary>
    public Task OnRunCompletedAsync(BlockContext context, RunOutcome outcome, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        return _run?.CompleteAsync(context, outcome, cancellationToken) ?? Task.CompletedTask;
    }
}
