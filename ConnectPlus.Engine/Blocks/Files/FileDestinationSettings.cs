using System.ComponentModel.DataAnnotations;
using ConnectPlus.Engine.Catalog;

namespace ConnectPlus.Engine.Blocks.Files;

/// <summary>Settings of the File destination block.</summary>
public sealed class FileDestinationSettings : IValidatableObject
{
    /// <summary>The connection that receives the files: a local folder, an SFTP or FTP server, or an S3 bucket.</summary>
    [Required(ErrorMessage = "Choose the connection that receives the files.")]
    [Setting(Order = 1, Editor = EditorHint.Connection, ConnectionTypes = new[] { "local", "sftp", "ftp", "s3" }, Placeholder = "brand-sftp")]
    public string Connection { get; set; } = "";

    /// <summary>The folder that receives the files, from the connection's root folder, e.g. exports/out. Empty: the root folder itself.</summary>
    [Setting(Order = 2, Editor = EditorHint.FolderPath, Placeholder = "exports/out")]
    public string Folder { get; set; } = "";

    /// <summary>
    /// Name to write each file under, instead of its own. Tokens: {date:FORMAT} is when the run started, in
    /// UTC (e.g. {date:yyyyMMdd-HHmm}); {source} is the file's own name without its extension; {run} is the
    /// run id; {node} is this block's id. Empty: each file keeps its name.
    /// </summary>
    [Setting(Order = 3, Placeholder = "{source}_{date:yyyyMMdd-HHmm}.csv")]
    public string? FileNameTemplate { get; set; }

    /// <summary>Create the folder (and the folders above it) when it does not exist. Off: a missing folder stops the run.</summary>
    [Setting(Order = 4)]
    public bool CreateFolders { get; set; } = true;

    /// <summary>
    /// Zip each file on the way: the connection receives a zip holding the file. The zip is named after the file
    /// with .zip in place of its extension (members.csv → members.zip, holding members.csv); when the file name
    /// (or template) already ends in .zip, that is the zip's name and the entry keeps the file's own name.
    /// </summary>
    [Setting(Order = 5)]
    public bool Zip { get; set; }

    /// <summary>
    /// What to do when the folder already has a file of the same name. rename (nothing is lost): the new file
    /// gets the next free name_1.csv, name_2.csv, … replace: the new file replaces the old one. skip: the new
    /// file is not written. fail: the run stops.
    /// </summary>
    [Setting(Order = 6)]
    public FileConflict OnConflict { get; set; } = FileConflict.Rename;

    /// <summary>The folder, normalized from the root (null when it climbs above the root).</summary>
    internal string? FolderPath => Blocks.LocationPath.Normalize(Folder);

    /// <inheritdoc />
    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (FolderPath is null)
            yield return new ValidationResult("The folder climbs above the connection's root folder with '..'; give a path inside it.", [nameof(Folder)]);
        if (!string.IsNullOrEmpty(FileNameTemplate) && Files.FileNameTemplate.Check(FileNameTemplate) is { } error)
            yield return new ValidationResult(error, [nameof(FileNameTemplate)]);
    }
}
