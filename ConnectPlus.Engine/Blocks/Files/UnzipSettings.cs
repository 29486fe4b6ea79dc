using System.ComponentModel.DataAnnotations;
using ConnectPlus.Engine.Catalog;

namespace ConnectPlus.Engine.Blocks.Files;

/// <summary>Settings of <see cref="UnzipBlock"/>.</summary>
public sealed class UnzipSettings : IValidatableObject
{
    /// <summary>The default of <see cref="MaxTotalUncompressedBytes"/>: 50 GB, room for the largest data exports.</summary>
    public const long DefaultMaxTotalUncompressedBytes = 50L * 1024 * 1024 * 1024;

    /// <summary>
    /// Regular expression an entry's file name (without its folders in the zip) must contain to be extracted
    /// (letter case ignored), e.g. \.csv$. Empty or .* extracts every file. Folders are never emitted.
    /// </summary>
    [Setting(Order = 1, Editor = EditorHint.Regex, Placeholder = @"\.csv$")]
    public string EntryNamePattern { get; set; } = ".*";

    /// <summary>
    /// Pass files that are not zips on unchanged. Off: a file that is not a zip stops the run. A file is a zip
    /// when its name ends in .zip or its content starts like a zip (Office and OpenDocument files such as
    /// .xlsx are not zips here).
    /// </summary>
    [Setting(Order = 2)]
    public bool PassThroughNonZip { get; set; } = true;

    /// <summary>The most files one zip may give; a zip with more stops the run (protects against zip bombs).</summary>
    [Range(1, int.MaxValue, ErrorMessage = "Max entries must be at least 1.")]
    [Setting(Order = 3, Group = "Limits")]
    public int MaxEntries { get; set; } = 10_000;

    /// <summary>
    /// The most bytes one zip may expand to, counted while extracting (50 GB = 53687091200). A zip that
    /// expands to more stops the run (protects the disk against zip bombs).
    /// </summary>
    [Range(1, long.MaxValue, ErrorMessage = "Max total uncompressed bytes must be at least 1.")]
    [Setting(Order = 4, Group = "Limits")]
    public long MaxTotalUncompressedBytes { get; set; } = DefaultMaxTotalUncompressedBytes;

    /// <summary>
    /// The most an entry may expand relative to its compressed size, counted while extracting (text data
    /// rarely exceeds 20; zip bombs reach 1000). Entries under 1 MB are not judged.
    /// </summary>
    [Range(1, int.MaxValue, ErrorMessage = "Max compression ratio must be at least 1.")]
    [Setting(Order = 5, Group = "Limits")]
    public int MaxCompressionRatio { get; set; } = 200;

    /// <inheritdoc />
    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (NamePattern.Validate(EntryNamePattern, "Entry name pattern", nameof(EntryNamePattern)) is { } pattern)
            yield return pattern;
    }
}
