using System.ComponentModel.DataAnnotations;
using ConnectPlus.Engine.Catalog;
using ConnectPlus.Engine.Expressions;

namespace ConnectPlus.Engine.Blocks.Transform;

/// <summary>What the Filter block does with rows that do not meet the condition.</summary>
public enum UnmatchedRows
{
    /// <summary>Count them, say how many in the run log, and pass them on nowhere.</summary>
    Drop,

    /// <summary>Send them to the 'unmatched' output.</summary>
    SendToOutput,
}

/// <summary>Settings of the Filter block.</summary>
public sealed class FilterSettings : IValidatableObject
{
    /// <summary>
    /// The condition a row must meet to go to 'matched': a formula giving true or false, e.g.
    /// <c>[country] = 'FR' and [amount] > 100</c>. A row on which the formula fails, or gives
    /// anything other than true or false, is rejected with the reason.
    /// </summary>
    [Required(ErrorMessage = "Give a condition, e.g. [status] = 'active'.")]
    [Setting(Order = 1, Editor = EditorHint.Formula, Placeholder = "[status] = 'active'")]
    public string Condition { get; set; } = "";

    /// <summary>
    /// Rows that do not meet the condition: drop them (the run log says how many) or send them to
    /// the 'unmatched' output.
    /// </summary>
    [Setting(Order = 2)]
    public UnmatchedRows UnmatchedRows { get; set; } = UnmatchedRows.Drop;

    /// <inheritdoc />
    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (!Formula.TryParse(Condition, out _, out var error))
            yield return new ValidationResult(error, [nameof(Condition)]);
    }
}
