using ConnectPlus.Bench.Cli;
using ConnectPlus.Bench.Workload;

namespace ConnectPlus.Bench.Transactions;

/// <summary>The <c>transactions</c> verb: options in, a bill file and its numbers out.</summary>
internal static class TransactionsCommand
{
    public const string Usage =
        "transactions --bills N --out FILE [--lines-per-bill 2] [--seed S] [--bad-share 0.001] [--members 100000] [--days 30]";

    public static int Run(IReadOnlyList<string> args, TextWriter output, CancellationToken ct)
    {
        var arguments = Arguments.Parse(args, "bills", "out", "lines-per-bill", "seed", "bad-share", "members", "days");
        var options = new TransactionsOptions
        {
            Bills = arguments.Number("bills", fallback: null, min: 0, max: 1_000_000_000),
            OutputFile = Path.GetFullPath(arguments.Text("out")),
            LinesPerBill = arguments.Decimal("lines-per-bill", fallback: 2, min: 1, max: TransactionsGenerator.MaxLinesPerBill),
            Seed = arguments.Seed(),
            BadShare = arguments.Decimal("bad-share", fallback: 0.001, min: 0, max: 1),
            Members = arguments.Number("members", fallback: 100_000, min: 1, max: MemberIdentity.MaxMembers),
            Days = (int)arguments.Number("days", fallback: 30, min: 1, max: 3_650),
        };

        var result = TransactionsGenerator.Generate(options, ct);

        var seconds = Math.Max(result.Elapsed.TotalSeconds, 1e-9);
        output.WriteLine($"transactions: {Report.Count(result.Bills)} bills, {Report.Count(result.Rows)} rows, seed {options.Seed} -> {options.OutputFile}");
        output.WriteLine($"  {Report.Megabytes(result.Bytes)}; bad bills: " +
            string.Join(", ", result.BadBills.Select(b => $"{b.Key} {Report.Count(b.Value)}")) + $" ({Report.Count(result.BadRows)} rows)");
        output.WriteLine($"  generated in {Report.Seconds(result.Elapsed)}: {Report.Rate(result.Rows / seconds)} rows/s");
        return 0;
    }
}
