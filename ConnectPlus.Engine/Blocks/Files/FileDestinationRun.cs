using ConnectPlus.Engine.Data;
using ConnectPlus.Engine.Runtime;

namespace ConnectPlus.Engine.Blocks.Files;

/// <summary>Where a destination block puts files: the one step a local folder and a connection do differently.</summary>
internal interface IFileTarget
{
    /// <summary>How messages name where the files go.</summary>
    string Where { get; }

    /// <summary>Delivers a file under a name; returns the file as delivered (its final name), or null when it was skipped.</summary>
    Task<FileItem?> DeliverAsync(FileItem file, string name, CancellationToken cancellationToken);
}

/// <summary>
/// One run of a destination block (Local folder destination, File destination): names each file arriving
/// (file name template), delivers it, sends it on "written" as delivered, and sums up in the run log.
/// </summary>
internal static class FileDestinationRun
{
    public const string FilesPort = "files";
    public const string WrittenPort = "written";

    public static async Task RunAsync(BlockContext context, IFileTarget target, string? fileNameTemplate, CancellationToken cancellationToken)
    {
        int delivered = 0, skipped = 0;
        await foreach (var file in context.ReadFilesAsync(FilesPort, cancellationToken).ConfigureAwait(false))
        {
            var written = await target.DeliverAsync(file, TargetName(context, file, fileNameTemplate), cancellationToken).ConfigureAwait(false);
            if (written is null)
            {
                skipped++;
                continue;
            }
            delivered++;
            await context.WriteAsync(WrittenPort, written, cancellationToken).ConfigureAwait(false);
        }
        var notWritten = skipped > 0 ? $", {skipped} skipped" : "";
        context.Log(RunLogLevel.Info, $"{delivered} files written to {target.Where}{notWritten}.");
    }

    /// <summary>The name a file is written under: the template expanded, or the file's own name made safe.</summary>
    private static string TargetName(BlockContext context, FileItem file, string? template)
    {
        if (string.IsNullOrEmpty(template)) return FileNameTemplate.Sanitize(Path.GetFileName(file.Name));
        return FileNameTemplate.Expand(template, FileNameValues.For(context, file.Name), "fileNameTemplate");
    }
}
