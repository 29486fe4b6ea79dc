using ConnectPlus.Engine.Catalog;
using ConnectPlus.Engine.Connectors;
using ConnectPlus.Engine.Runtime;

namespace ConnectPlus.Engine.Blocks.Files;

/// <summary>
/// Delivers files to a folder on a connection (local folder, SFTP, FTP or S3), optionally zipped on the way.
/// Each file is written under a hidden temporary name and renamed when complete, so a program watching the
/// folder never sees half a file, and a failed write leaves nothing behind. The content streams from the
/// block before to the connection; nothing is held whole in memory. The optional "written" output sends each
/// file as delivered (its final name and path on the connection), for a block that acts on it afterwards.
/// </summary>
[Block("file-destination", 1, "File destination", BlockCategory.Destinations, Icon = "cloud_upload")]
[Input("files", PortKind.Files, Description = "The files to deliver.")]
[Output("written", PortKind.Files, Description = "Each file delivered, under its final name on the connection (skipped files are not sent). Optional.")]
public sealed class FileDestinationBlock : Block<FileDestinationSettings>, IRunCompletionHandler
{
    private IFileLocation? _location;

    /// <inheritdoc />
    public override async Task RunAsync(BlockContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        _location = await context.OpenFileLocationAsync(Settings.Connection, "connection", cancellationToken).ConfigureAwait(false);
        var target = new LocationDelivery(context, _location, Settings.FolderPath ?? "", Settings.OnConflict, Settings.Zip);
        if (!Settings.CreateFolders) await target.CheckFolderAsync(cancellationToken).ConfigureAwait(false);
        await FileDestinationRun.RunAsync(context, target, Settings.FileNameTemplate, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Closes the connection once the run is over (a block after "written" may read the files until then).</summary>
    public async Task OnRunCompletedAsync(BlockContext context, RunOutcome outcome, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        await context.CloseFileLocationAsync(_location).ConfigureAwait(false);
        _location = null;
    }
}
