using System.ComponentModel.DataAnnotations;
using ConnectPlus.Engine.Catalog;

namespace ConnectPlus.Engine.Blocks.Sources;

/// <summary>Settings of <see cref="FileSourceBlock"/>.</summary>
public sealed class FileSourceSettings : IValidatableObject
{
    /// <summary>The connection that holds the files: a local folder, an SFTP or FTP server, or an S3 bucket.</summary>
    [Required(ErrorMessage = "Choose the connection that holds the files.")]
    [Setting(Order = 1, Editor = EditorHint.Connection, ConnectionTypes = new[] { "local", "sftp", "ftp", "s3" }, Placeholder = "brand-sftp")]
    public string Connection { get; set; } = "";

    /// <summary>The folder to read, from the connection's root folder, e.g. exports/in. Empty: the root folder itself.</summary>
    [Setting(Order = 2, Editor = EditorHint.FolderPath, Placeholder = "exports/in")]
    public string SourceFolder { get; set; } = "";

    /// <summary>
    /// Regular expression a file name must contain to be read (letter case ignored). Anchor it to match
    /// the whole name: ^members_.*\.csv$. Empty or .* reads every file. Hidden files (names starting with a
    /// dot, such as the temporary names of uploads in progress) are never read.
    /// </summary>
    [Setting(Order = 3, Editor = EditorHint.Regex, Placeholder = @"\.csv$")]
    public string FileNamePattern { get; set; } = ".*";

    /// <summary>Also read files in the subfolders of the folder (the processed and error folders are left out).</summary>
    [Setting(Order = 4)]
    public bool Recursive { get; set; }

    /// <summary>
    /// Skip files changed less than this many seconds ago: they may still be being written. 0 reads every file.
    /// </summary>
    [Range(0, int.MaxValue, ErrorMessage = "Minimum age must be 0 or more seconds.")]
    [Setting(Order = 5, Placeholder = "60")]
    public int MinimumAgeSeconds { get; set; }

    /// <summary>
    /// Read at most this many files per run (the first ones by name), or with file sets this many sets (the
    /// first ones by token); the rest wait for the next run. Empty: no limit.
    /// </summary>
    [Range(1, int.MaxValue, ErrorMessage = "Max files per run must be at least 1, or empty for no limit.")]
    [Setting(Order = 6, Placeholder = "no limit")]
    public int? MaxFilesPerRun { get; set; }

    /// <summary>
    /// Files that belong together, such as the inputs of a join: one regular expression per file of the set,
    /// each with a group in parentheses that captures the token the files share, e.g. members_(\d{8})\.csv and
    /// slab_(\d{8})\.csv. A set is read only when every pattern has a file for the same token (members_20250102.csv
    /// with slab_20250102.csv); an incomplete set waits for a later run, and files that match no pattern are not
    /// read. Each file read carries its token in the attribute "fileSet". Empty: files are read one by one.
    /// </summary>
    [Setting(Order = 7, Group = "File sets", Editor = EditorHint.Table, Placeholder = "[\"members_(\\\\d{8})\\\\.csv\", \"slab_(\\\\d{8})\\\\.csv\"]")]
    public List<string> FileSet { get; set; } = [];

    /// <summary>
    /// Where the files read go when the run succeeds (also with rejected rows). A relative path is taken inside
    /// the folder read; a path starting with / from the connection's root. Subfolders are kept; a file already
    /// there is not overwritten: the newcomer gets the run's start time (UTC) added to its name, e.g.
    /// members_20250101-093000.csv. Empty: files stay where they are (the processed-file ledger, where the host
    /// keeps one, still keeps them from being read twice).
    /// </summary>
    [Setting(Order = 8, Group = "After the run", Editor = EditorHint.FolderPath, Placeholder = "processed")]
    public string? ProcessedFolder { get; set; }

    /// <summary>
    /// Where the files read go when the run fails, as for the processed folder. A cancelled run leaves its files
    /// in place so the next run reads them again. Empty: files stay where they are and are read again.
    /// </summary>
    [Setting(Order = 9, Group = "After the run", Editor = EditorHint.FolderPath, Placeholder = "error")]
    public string? ErrorFolder { get; set; }

    /// <summary>The folder read, normalized from the root (null when it climbs above the root).</summary>
    internal string? FolderPath => LocationPath.Normalize(SourceFolder);

    /// <summary>The processed folder, normalized from the root, or null.</summary>
    internal string? ProcessedPath => LocationPath.Resolve(FolderPath ?? "", ProcessedFolder);

    /// <summary>The error folder, normalized from the root, or null.</summary>
    internal string? ErrorPath => LocationPath.Resolve(FolderPath ?? "", ErrorFolder);

    /// <inheritdoc />
    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (NamePattern.Validate(FileNamePattern, "File name pattern", nameof(FileNamePattern)) is { } pattern)
            yield return pattern;
        foreach (var problem in FileSetProblems())
            yield return new ValidationResult(problem, [nameof(FileSet)]);
        if (FolderPath is not { } folder)
        {
            yield return new ValidationResult("The source folder climbs above the connection's root folder with '..'; give a path inside it.", [nameof(SourceFolder)]);
            yield break;
        }
        foreach (var (value, resolved, name, label) in new[] { (ProcessedFolder, ProcessedPath, nameof(ProcessedFolder), "processed"), (ErrorFolder, ErrorPath, nameof(ErrorFolder), "error") })
        {
            if (string.IsNullOrWhiteSpace(value)) continue;
            if (resolved is null)
                yield return new ValidationResult($"The {label} folder climbs above the connection's root folder with '..'; give a path inside it.", [name]);
            else if (resolved == folder)
                yield return new ValidationResult($"The {label} folder must differ from the folder read; give a subfolder such as '{label}'.", [name]);
        }
    }

    private IEnumerable<string> FileSetProblems()
    {
        // JSON null binds as null despite the initialiser.
        if (FileSet is null || FileSet.Count == 0) yield break;
        if (FileSet.Count == 1)
            yield return "A file set needs two or more patterns, one per file of the set (e.g. members_(\\d{8})\\.csv and slab_(\\d{8})\\.csv); leave it empty to read files one by one.";
        for (var i = 0; i < FileSet.Count; i++)
        {
            var text = FileSet[i];
            if (string.IsNullOrWhiteSpace(text))
            {
                yield return $"File set pattern {i + 1} is empty; give a pattern such as members_(\\d{{8}})\\.csv.";
                continue;
            }
            if (NamePattern.Validate(text, $"File set pattern {i + 1} '{text}'", nameof(FileSet)) is { } invalid)
            {
                yield return invalid.ErrorMessage!;
                continue;
            }
            if (NamePattern.Create(text).GetGroupNumbers().Length < 2)
                yield return $"File set pattern {i + 1} '{text}' has no group in parentheses for the token the files share; write e.g. members_(\\d{{8}})\\.csv.";
            if (FileSet.FindIndex(p => string.Equals(p, text, StringComparison.Ordinal)) < i)
                yield return $"File set pattern {i + 1} '{text}' is given twice; each file of the set needs its own pattern.";
        }
    }
}
