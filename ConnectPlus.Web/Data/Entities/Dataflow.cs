using System.ComponentModel.DataAnnotations;

namespace ConnectPlus.Web.Data;

/// <summary>What happens to a run of the dataflow cut off by process death (a crash, a kill, a restart).</summary>
public enum InterruptedRunAction
{
    /// <summary>A new run of the same version resumes it: acknowledged API batches are not sent again, files the ledger marks done are not read again.</summary>
    Resume,
    /// <summary>A new run starts over: the interrupted run's delivery checkpoints are forgotten (files the ledger marks done are still skipped).</summary>
    Retry,
    /// <summary>Nothing: the run stays Interrupted for a person to look at.</summary>
    None,
}

/// <summary>A dataflow as the user manages it: name, tags, active flag; its drawings are its <see cref="Versions"/>.</summary>
public sealed class Dataflow : IConcurrencyStamped, IValidatableObject
{
    /// <summary>Tags a dataflow may carry.</summary>
    public const int MaxTags = 5;

    /// <summary>Characters in one tag.</summary>
    public const int MaxTagLength = 40;

    public int Id { get; set; }

    public int WorkspaceId { get; set; }

    public Workspace Workspace { get; set; } = null!;

    /// <summary>Unique in its workspace, ignoring case.</summary>
    public required string Name
    {
        get;
        set
        {
            field = value;
            NormalizedName = Names.Normalize(value);
        }
    }

    public string NormalizedName { get; private set; } = "";

    public string? Description { get; set; }

    /// <summary>At most <see cref="MaxTags"/> short labels for finding dataflows (e.g. "loyalty", "nightly").</summary>
    public List<string> Tags { get; set; } = [];

    /// <summary>Only active dataflows are run by their schedules.</summary>
    public bool IsActive { get; set; } = true;

    /// <summary>What start-up (or another node) does with a run of this dataflow cut off by process death.</summary>
    public InterruptedRunAction OnInterrupted { get; set; } = InterruptedRunAction.Resume;

    public DateTimeOffset Created { get; set; }

    public DateTimeOffset Updated { get; set; }

    public Guid ConcurrencyStamp { get; set; } = Guid.NewGuid();

    public List<DataflowVersion> Versions { get; } = [];

    public List<Schedule> Schedules { get; } = [];

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (Tags.Count > MaxTags)
            yield return new ValidationResult($"Dataflow '{Name}' has {Tags.Count} tags; keep at most {MaxTags}.", [nameof(Tags)]);
        foreach (var tag in Tags.Where(t => string.IsNullOrWhiteSpace(t) || t.Length > MaxTagLength))
            yield return new ValidationResult($"Dataflow '{Name}': tags need 1 to {MaxTagLength} characters ('{tag}').", [nameof(Tags)]);
        if (Tags.Count != Tags.Distinct(StringComparer.OrdinalIgnoreCase).Count())
            yield return new ValidationResult($"Dataflow '{Name}' has the same tag twice.", [nameof(Tags)]);
    }
}
