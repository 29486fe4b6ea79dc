using ConnectPlus.Engine.Data;
using ConnectPlus.Engine.Runtime;

namespace ConnectPlus.Engine.Blocks.Pgp;

/// <summary>What the PGP blocks do alike with the files they pass on.</summary>
internal static class PgpFiles
{
    /// <summary>The port both blocks read from and write to.</summary>
    public const string Port = "files";

    /// <summary>Passes every file on unchanged (the block is off); logs how many.</summary>
    public static async Task PassAllAsync(BlockContext context, string what, CancellationToken cancellationToken)
    {
        var passed = 0;
        await foreach (var file in context.ReadFilesAsync(Port, cancellationToken).ConfigureAwait(false))
        {
            await context.WriteAsync(Port, file, cancellationToken).ConfigureAwait(false);
            passed++;
        }
        context.Log(RunLogLevel.Info, $"{what} is off ('enabled'): {passed} files passed on unchanged.");
    }

    /// <summary>
    /// A file made from another one, in the work folder: it keeps the other's origin, attributes and place
    /// (its source path with the new name, so "in/a.csv.pgp" gives "in/a.csv").
    /// </summary>
    public static FileItem Derived(FileItem from, string path, IReadOnlyDictionary<string, string>? attributes = null)
    {
        var name = Path.GetFileName(path);
        var sourcePath = from.SourcePath is { } source && source.EndsWith(from.Name, StringComparison.Ordinal)
            ? source[..^from.Name.Length] + name
            : name;
        if (from.Modified is { } modified) File.SetLastWriteTimeUtc(path, modified.UtcDateTime);
        return FileItem.FromLocalFile(path, sourcePath, from.OriginName ?? from.Name).WithAttributes(attributes ?? from.Attributes);
    }

    /// <summary>Removes a partly written or rejected output file, so nothing of it is passed on.</summary>
    public static void Delete(string? path)
    {
        if (path is not null && File.Exists(path)) File.Delete(path);
    }
}
