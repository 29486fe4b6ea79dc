using ConnectPlus.Engine.Catalog;
using ConnectPlus.Engine.Data;
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
    public override async Task RunAsync(BlockContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        var folder = PrepareFolder();
        var delivery = new LocalFolderDelivery(context, folder, Settings.OnConflict);
        // This block's work folder lives inside the run's; files there are the run's own copies.
        var runWorkFolder = Path.GetDirectoryName(context.WorkFolder)!;
        var soleReceiver = context.IsSoleReceiver("files");
        int delivered = 0, skipped = 0;
        await foreach (var file in context.ReadFilesAsync("files", cancellationToken).ConfigureAwait(false))
        {
            var move = soleReceiver && IsInside(file.LocalPath, runWorkFolder);
            var path = await delivery.DeliverAsync(file, TargetName(context, file), move, cancellationToken).ConfigureAwait(false);
            if (path is null)
            {
                skipped++;
                continue;
            }
            delivered++;
            await context.WriteAsync("written", FileItem.FromLocalFile(path, originName: file.OriginName), cancellationToken).ConfigureAwait(false);
        }
        var notWritten = skipped > 0 ? $", {skipped} skipped" : "";
        context.Log(RunLogLevel.Info, $"{delivered} files written to {folder}{notWritten}.");
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

    private string TargetName(BlockContext context, FileItem file)
    {
        if (string.IsNullOrEmpty(Settings.FileNameTemplate)) return FileNameTemplate.Sanitize(Path.GetFileName(file.Name));
        return FileNameTemplate.Expand(Settings.FileNameTemplate, FileNameValues.For(context, file.Name), "fileNameTemplate");
    }

    private static bool IsInside(string? path, string folder)
    {
        if (path is null) return false;
        var comparison = OperatingSystem.IsWindows() ? StringComparison.OrdinalIgnoreCase : StringComparison.Ordinal;
        return Path.GetFullPath(path).StartsWith(Path.TrimEndingDirectorySeparator(Path.GetFullPath(folder)) + Path.DirectorySeparatorChar, comparison);
    }
}
