using System.ComponentModel.DataAnnotations;
using ConnectPlus.Engine.Catalog;

namespace ConnectPlus.Engine.Blocks.Sources;

/// <summary>Settings of <see cref="LocalFolderSourceBlock"/>.</summary>
public sealed class LocalFolderSourceSettings : IValidatableObject
{
    /// <summary>The folder to read files from, on the machine that runs Connect+. Use an absolute path.</summary>
    [Required(ErrorMessage = "Give the folder to read files from.")]
    [Setting(Order = 1, Editor = EditorHint.FolderPath, Placeholder = "/data/exports/in")]
    public string Folder { get; set; } = "";

    /// <summary>
    /// Regular expression a file name must contain to be read (letter case ignored). Anchor it to match
    /// the whole name: ^members_.*\.csv$. Empty or .* reads every file. Hidden files (such as .name) are never read.
    /// </summary>
    [Setting(Order = 2, Editor = EditorHint.Regex, Placeholder = @"\.csv$")]
    public string FileNamePattern { get; set; } = ".*";

    /// <summary>Also read files in the subfolders of the folder (the processed and error folders are left out).</summary>
    [Setting(Order = 3)]
    public bool Recursive { get; set; }

    /// <summary>
    /// Skip files changed less than this many seconds ago: they may still be being written. 0 reads every file.
    /// </summary>
    [Range(0, int.MaxValue, ErrorMessage = "Minimum age must be 0 or more seconds.")]
    [Setting(Order = 4, Placeholder = "60")]
    public int MinimumAgeSeconds { get; set; }

    /// <summary>Read at most this many files per run (the first ones by name); the rest wait for the next run. Empty: no limit.</summary>
    [Range(1, int.MaxValue, ErrorMessage = "Max files must be at least 1, or empty for no limit.")]
    [Setting(Order = 5, Placeholder = "no limit")]
    public int? MaxFiles { get; set; }

    /// <summary>
    /// Where the files read go when the run succeeds (also with rejected rows). A relative path is taken
    /// inside the folder. Subfolders are kept; a file already there is not overwritten: the newcomer gets the
    /// run's start time (UTC) added to its name, e.g. members_20250101-093000.csv. Empty: files stay where they are.
    /// </summary>
    [Setting(Order = 6, Group = "After the run", Editor = EditorHint.FolderPath, Placeholder = "processed")]
    public string? ProcessedFolder { get; set; }

    /// <summary>
    /// Where the files read go when the run fails, as for the processed folder. A cancelled run leaves
    /// its files in place so the next run reads them again. Empty: files stay where they are.
    /// </summary>
    [Setting(Order = 7, Group = "After the run", Editor = EditorHint.FolderPath, Placeholder = "error")]
    public string? ErrorFolder { get; set; }

    /// <summary>The folder as a full path.</summary>
    internal string FolderPath => Path.GetFullPath(Folder);

    /// <summary>The processed folder as a full path (relative paths are inside the folder), or null.</summary>
    internal string? ProcessedPath => Resolve(ProcessedFolder);

    /// <summary>The error folder as a full path (relative paths are inside the folder), or null.</summary>
    internal string? ErrorPath => Resolve(ErrorFolder);

    /// <inheritdoc />
    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (NamePattern.Validate(FileNamePattern, "File name pattern", nameof(FileNamePattern)) is { } pattern)
            yield return pattern;
        if (string.IsNullOrWhiteSpace(Folder)) yield break;
        if (SameFolder(ProcessedPath, FolderPath))
            yield return new ValidationResult("The processed folder must differ from the folder read; give a subfolder such as 'processed'.", [nameof(ProcessedFolder)]);
        if (SameFolder(ErrorPath, FolderPath))
            yield return new ValidationResult("The error folder must differ from the folder read; give a subfolder such as 'error'.", [nameof(ErrorFolder)]);
    }

    private string? Resolve(string? folder) =>
        string.IsNullOrWhiteSpace(folder) ? null : Path.GetFullPath(folder, FolderPath);

    private static bool SameFolder(string? a, string b) => a is not null && LocalPath.SameFolder(a, b);
}
