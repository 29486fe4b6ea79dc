using ConnectPlus.Engine.Catalog;
using ConnectPlus.Engine.Runtime;

namespace ConnectPlus.Engine.Blocks.Files;

/// <summary>
/// Delivers files to a folder on this machine (or a share mounted on it). Each file is written under
/// a hidden temporary name in the folder and renamed when complete, so a program watching the folder
/// never sees half a file, and a failed write leaves nothing behind. A file made during the run that
/// reaches only this block is moved rather than copied. The optional "written" output sends each
/// file as delivered (its final name and path), for a block that acts on it afterwards.
/// </summary>
[Block("local-folder-destination", 1, "Local folder destination", BlockCategory.Destinations, Icon = "drive_folder_upload")]
[Input("files", PortKind.Files, Description = "The files to deliver.")]
[Output("written", PortKind.Files, Description = "Each file delivered, under its final name in the folder (skipped files are not sent). Optional.")]
public sealed class LocalFolderDestinationBlock : Block<LocalFolderDestinationSettings>
{
    /// <inheritdoc />
    public override Task RunAsync(BlockContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        var target = new LocalFolderDelivery(context, PrepareFolder(), Settings.OnConflict);
        return FileDestinationRun.RunAsync(context, target, Settings.FileNameTemplate, cancellationToken);
    }

    private string PrepareFolder()
    {
        var folder = Path.GetFullPath(Settings.Folder);
        if (Directory.Exists(folder)) return folder;
        if (!Settings.CreateFolder)
            throw new BlockException($"The folder {folder} does not exist. Create it, or turn on Create folder.") { Setting = "folder" };
        try
        {
            Directory.CreateDirectory(folder);
            return folder;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new BlockException($"Cannot create the folder {folder}: {ex.Message}", ex) { Setting = "folder" };
        }
    }
}
