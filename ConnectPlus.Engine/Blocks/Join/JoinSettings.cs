using System.ComponentModel.DataAnnotations;
using ConnectPlus.Engine.Catalog;

namespace ConnectPlus.Engine.Blocks.Join;

/// <summary>Settings of the Join block.</summary>
public sealed class JoinSettings : IValidatableObject
{
    /// <summary>
    /// One entry per connected input, in port order (input1, input2, then input3 and input4 when connected):
    /// the columns that hold that input's key, and the prefix its column names get when another input has
    /// the same name. Every input names the same number of key columns; they are matched by position.
    /// </summary>
    [Setting(Order = 1, Group = "Keys", Editor = EditorHint.Table,
        Placeholder = "[{\"keyColumns\": [\"member_id\"]}, {\"keyColumns\": [\"member_id\"]}]")]
    public List<JoinInput> Inputs { get; set; } = [];

    /// <summary>
    /// How each joined input joins the rows so far: the first entry joins input2 to input1, the second joins
    /// input3 to that result, the third input4. inner keeps matched rows only; leftOuter keeps every row so
    /// far; rightOuter keeps every row of the joined input; fullOuter keeps both. Empty: leftOuter for every pair.
    /// </summary>
    [Setting(Order = 2, Group = "Join", Placeholder = "[\"leftOuter\"]")]
    public List<JoinType> JoinTypes { get; set; } = [];

    /// <summary>
    /// Keep the key columns of input2 to input4 in the output. Off: they are left out, and input1's key
    /// columns carry the key of every row, also of rows that only a later input supplied (right or full outer).
    /// </summary>
    [Setting(Order = 3, Group = "Join")]
    public bool KeepJoinedKeys { get; set; }

    /// <summary>Ignore spaces around key values when matching (the output keeps the values as they came).</summary>
    [Setting(Order = 4, Group = "Key options")]
    public bool TrimKeys { get; set; }

    /// <summary>Match keys that differ only in upper and lower case, e.g. "ab12" and "AB12".</summary>
    [Setting(Order = 5, Group = "Key options")]
    public bool IgnoreCase { get; set; }

    /// <summary>
    /// What a row does when one of its key columns is missing or empty (or only spaces with Trim keys on):
    /// noMatch — it matches nothing, yet an outer join keeps it; match — empty keys match each other;
    /// reject — the row goes to the rejected output with code JOIN_EMPTY_KEY.
    /// </summary>
    [Setting(Order = 6, Group = "Key options")]
    public JoinEmptyKeys EmptyKeys { get; set; } = JoinEmptyKeys.NoMatch;

    /// <summary>
    /// Per pair, the side held in memory while the other side streams through: right holds the joined input
    /// and streams input1 (best when input1 is the big one); left holds the rows so far and streams the joined
    /// input (best when the joined input is much bigger). The same rows come out either way, in another order.
    /// Empty: right for every pair.
    /// </summary>
    [Setting(Order = 7, Group = "Performance", Placeholder = "[\"right\"]")]
    public List<JoinBuildSide> BuildSides { get; set; } = [];

    /// <summary>Cross-field rules; which ports are connected is checked when the block runs.</summary>
    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        // JSON null binds as null despite the initialisers.
        if (Inputs is null || Inputs.Count is < 2 or > 4)
        {
            yield return new ValidationResult(
                $"Give one entry per connected input, two to four (input1 and input2 at least), each with its key columns; there are {Inputs?.Count ?? 0}.",
                [nameof(Inputs)]);
            yield break;
        }
        foreach (var message in InputProblems())
            yield return new ValidationResult(message, [nameof(Inputs)]);
        var pairs = Inputs.Count - 1;
        if (JoinTypes is null || (JoinTypes.Count != 0 && JoinTypes.Count != pairs))
        {
            yield return new ValidationResult(
                $"Give one join type per joined input ({pairs} for {Inputs.Count} inputs), or none for leftOuter everywhere; there are {JoinTypes?.Count ?? 0}.",
                [nameof(JoinTypes)]);
        }
        if (BuildSides is null || (BuildSides.Count != 0 && BuildSides.Count != pairs))
        {
            yield return new ValidationResult(
                $"Give one build side per joined input ({pairs} for {Inputs.Count} inputs), or none for right everywhere; there are {BuildSides?.Count ?? 0}.",
                [nameof(BuildSides)]);
        }
    }

    private IEnumerable<string> InputProblems()
    {
        var expected = -1;
        for (var i = 0; i < Inputs.Count; i++)
        {
            var keys = Inputs[i]?.KeyColumns ?? [];
            if (keys.Count == 0)
            {
                yield return $"Give at least one key column for input{i + 1}.";
                continue;
            }
            if (keys.Any(string.IsNullOrWhiteSpace))
                yield return $"Input{i + 1} has a blank key column name; name the column or remove the entry.";
            if (expected < 0)
            {
                expected = keys.Count;
                continue;
            }
            if (keys.Count != expected)
                yield return $"Input{i + 1} has {keys.Count} key columns but the first input with keys has {expected}; give every input the same number (they are matched by position).";
        }
    }
}

/// <summary>One input of a join: the columns that hold its key, and the prefix for its clashing column names.</summary>
public sealed class JoinInput
{
    /// <summary>Columns of this input that make up the key, in order (several for a composite key), e.g. ["member_id"].</summary>
    public List<string> KeyColumns { get; set; } = [];

    /// <summary>
    /// Put before this input's column names that another input also has (names that differ only in case
    /// clash too). Not given: in1_, in2_, … by position; an empty text adds nothing.
    /// </summary>
    public string? Prefix { get; set; }
}

/// <summary>How the rows of the two sides of a pair are matched.</summary>
public enum JoinType
{
    /// <summary>Only rows whose key is on both sides.</summary>
    Inner,

    /// <summary>Every row so far; the joined input's columns are empty where it has no match.</summary>
    LeftOuter,

    /// <summary>Every row of the joined input; the columns so far are empty where it has no match.</summary>
    RightOuter,

    /// <summary>Every row of both sides.</summary>
    FullOuter,
}

/// <summary>Which side of a pair is held in memory (hashed) while the other side streams through.</summary>
public enum JoinBuildSide
{
    /// <summary>Hold the joined input; stream the rows so far (input1).</summary>
    Right,

    /// <summary>Hold the rows so far; stream the joined input.</summary>
    Left,
}

/// <summary>What a row whose key is missing or empty does.</summary>
public enum JoinEmptyKeys
{
    /// <summary>It matches nothing; an outer join still keeps it (like SQL NULL).</summary>
    NoMatch,

    /// <summary>Empty keys match each other.</summary>
    Match,

    /// <summary>The row is rejected (code JOIN_EMPTY_KEY).</summary>
    Reject,
}
