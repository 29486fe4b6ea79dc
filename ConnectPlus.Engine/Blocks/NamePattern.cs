using System.ComponentModel.DataAnnotations;
using System.Text.RegularExpressions;
using ConnectPlus.Engine.Runtime;

namespace ConnectPlus.Engine.Blocks;

/// <summary>
/// The regular expression a user writes to pick files (or zip entries) by name. One meaning
/// everywhere: it is searched for anywhere in the name (anchor it with <c>^</c> and <c>$</c> to
/// match the whole name), letter case is ignored, and an empty pattern takes every name.
/// </summary>
internal static class NamePattern
{
    // A pattern that backtracks for longer than this on one name is a mistake, not a need.
    private static readonly TimeSpan MatchTimeout = TimeSpan.FromSeconds(2);

    /// <summary>Compiles a pattern; throws <see cref="ArgumentException"/> when it is not a valid regular expression.</summary>
    public static Regex Create(string? pattern) =>
        new(pattern ?? "", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant, MatchTimeout);

    /// <summary>A validation result naming the setting when the pattern does not compile, otherwise null.</summary>
    public static ValidationResult? Validate(string? pattern, string displayName, string propertyName)
    {
        try
        {
            _ = Create(pattern);
            return null;
        }
        catch (ArgumentException ex)
        {
            return new ValidationResult(
                $"{displayName} is not a valid regular expression ({ex.Message}). Fix it, e.g. \\.csv$ for names ending in .csv.",
                [propertyName]);
        }
    }

    /// <summary>Whether the name matches; a pattern that runs too long becomes a fault naming the setting.</summary>
    public static bool IsMatch(Regex regex, string name, string setting)
    {
        try
        {
            return regex.IsMatch(name);
        }
        catch (RegexMatchTimeoutException ex)
        {
            throw new BlockException($"The pattern in '{setting}' took too long to test the name '{name}'. Simplify the pattern.", ex) { Setting = setting };
        }
    }
}
