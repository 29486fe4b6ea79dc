using System.Globalization;

namespace ConnectPlus.Bench.Cli;

/// <summary>
/// The options of one verb: <c>--name value</c> pairs, then optionally <c>--</c> and a command line
/// that is kept as it is. Unknown options and missing values are usage errors, not silent defaults.
/// </summary>
internal sealed class Arguments
{
    private readonly Dictionary<string, string> _values;
    private readonly Dictionary<string, List<string>> _all;

    private Arguments(Dictionary<string, string> values, Dictionary<string, List<string>> all, IReadOnlyList<string> rest)
    {
        _values = values;
        _all = all;
        Rest = rest;
    }

    /// <summary>What follows <c>--</c>.</summary>
    public IReadOnlyList<string> Rest { get; }

    public static Arguments Parse(IReadOnlyList<string> args, params string[] known)
    {
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        var all = new Dictionary<string, List<string>>(StringComparer.Ordinal);
        for (var i = 0; i < args.Count; i++)
        {
            var arg = args[i];
            if (arg == "--")
            {
                return new Arguments(values, all, [.. args.Skip(i + 1)]);
            }

            if (!arg.StartsWith("--", StringComparison.Ordinal) || !known.Contains(arg[2..]))
            {
                throw new UsageException($"Unknown option '{arg}'. Options of this verb: {string.Join(", ", known.Select(k => "--" + k))}.");
            }

            if (i + 1 >= args.Count || args[i + 1].StartsWith("--", StringComparison.Ordinal))
            {
                throw new UsageException($"Option '{arg}' needs a value.");
            }

            values[arg[2..]] = args[++i];
            if (!all.TryGetValue(arg[2..], out var list)) all[arg[2..]] = list = [];
            list.Add(args[i]);
        }

        return new Arguments(values, all, []);
    }

    public string Text(string name) =>
        _values.TryGetValue(name, out var value) ? value : throw new UsageException($"Give --{name}.");

    public string? OptionalText(string name) => _values.GetValueOrDefault(name);

    /// <summary>Every value of an option that may be given more than once (e.g. <c>--set a --set b</c>), in order.</summary>
    public IReadOnlyList<string> All(string name) => _all.TryGetValue(name, out var list) ? list : [];

    /// <summary>A whole number; accepts 1000000, 1_000_000, 100k and 1M.</summary>
    public long Number(string name, long? fallback, long min, long max)
    {
        if (!_values.TryGetValue(name, out var text))
        {
            return fallback ?? throw new UsageException($"Give --{name} (a whole number).");
        }

        var multiplier = 1L;
        var digits = text.Replace("_", "", StringComparison.Ordinal);
        if (digits.EndsWith('k') || digits.EndsWith('K'))
        {
            (multiplier, digits) = (1_000, digits[..^1]);
        }
        else if (digits.EndsWith('M'))
        {
            (multiplier, digits) = (1_000_000, digits[..^1]);
        }

        if (!long.TryParse(digits, NumberStyles.None, CultureInfo.InvariantCulture, out var value)
            || value > max / multiplier || value * multiplier < min)
        {
            throw new UsageException($"--{name} must be a whole number from {min:N0} to {max:N0} (for example 100000, 100k or 1M); got '{text}'.");
        }

        return value * multiplier;
    }

    public double Decimal(string name, double fallback, double min, double max)
    {
        if (!_values.TryGetValue(name, out var text))
        {
            return fallback;
        }

        if (!double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) || value < min || value > max)
        {
            throw new UsageException($"--{name} must be a number from {min} to {max}; got '{text}'.");
        }

        return value;
    }

    public bool Flag(string name, bool fallback)
    {
        if (!_values.TryGetValue(name, out var text))
        {
            return fallback;
        }

        return bool.TryParse(text, out var value)
            ? value
            : throw new UsageException($"--{name} must be true or false; got '{text}'.");
    }

    public ulong Seed(string name = "seed") => (ulong)Number(name, fallback: 1, min: 0, max: long.MaxValue);
}
