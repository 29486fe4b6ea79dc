using System.ComponentModel.DataAnnotations;
using ConnectPlus.Engine.Catalog;

namespace ConnectPlus.Engine.Blocks.Files;

/// <summary>Settings of the Local folder destination block.</summary>
public sealed class LocalFolderDestinationSettings : IValidatableObject
{
    /// <summary>
    /// The folder that receives the files: a full path on the machine that runs the dataflow (or a
    /// share mounted on it), e.g. /data/exports or D:\exports.
    /// </summary>
    [Required(ErrorMessage = "Give the folder that receives the files, e.g. /data/exports.")]
    [Setting(Order = 1, Editor = EditorHint.FolderPath, Placeholder = "/data/exports")]
    public string Folder { get; set; } = "";

    /// <summary>Create the folder (and the folders above it) when it does not exist. Off: a missing folder stops the run.</summary>
    [Setting(Order = 2)]
    public bool CreateFolder { get; set; } = true;

    /// <summary>
    /// What to do when the folder already has a file of the same name. rename (nothing is lost): the
    /// new file gets the next free name_1.csv, name_2.csv, … replace: the new file replaces the old
    /// one. skip: the new file is not written. fail: the run stops.
    /// </summary>
    [Setting(Order = 3)]
    public FileConflict OnConflict { get; set; } = FileConflict.Rename;

    /// <summary>
    /// Name to write each file under, instead of its own. Tokens: {date:FORMAT} is when the run
    /// started, in UTC (e.g. {date:yyyyMMdd-HHmm}); {source} is the file's own name without its
    /// extension; {run} is the run id; {node} is this block's id. Empty: each file keeps its name.
    /// </summary>
    [Setting(Order = 4, Placeholder = "{source}_{date:yyyyMMdd-HHmm}.csv")]
    public string? FileNameTemplate { get; set; }

    /// <inheritdoc />
    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (!string.IsNullOrWhiteSpace(Folder) && !Path.IsPathFullyQualified(Folder))
            yield return new ValidationResult($"Give a full path, e.g. /data/exports or D:\\exports ('{Folder}' would depend on where Connect+ runs).", [nameof(Folder)]);
        if (!string.IsNullOrEmpty(FileNameTemplate) && Files.FileNameTemplate.Check(FileNameTemplate) is { } error)
            yield return new ValidationResult(error, [nameof(FileNameTemplate)]);
    }
}

/// <summary>What a destination does when the file it writes is already there.</summary>
public enum FileConflict
{
    /// <summary>Write the new file under the next free name: name_1.csv, name_2.csv, …</summary>
    Rename,

    /// <summary>Replace the file that is there.</summary>
    Replace,

    /// <summary>Leave the file that is there and do not write the new one.</summary>
    Skip,

    /// <summary>Stop the run.</summary>
    Fail,
}
