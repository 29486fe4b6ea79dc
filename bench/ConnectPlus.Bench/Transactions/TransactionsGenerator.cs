using System.Diagnostics;
using ConnectPlus.Bench.Export;
using ConnectPlus.Bench.Workload;
using CsvHelper;

namespace ConnectPlus.Bench.Transactions;

/// <summary>The defect a deliberately bad bill carries on every one of its rows.</summary>
internal enum BadBillKind
{
    NegativeAmount,
    BadDate,
    MissingMobile,
}

/// <summary>What the transactions generator wrote.</summary>
internal sealed record TransactionsResult(long Bills, long Rows, long Bytes, IReadOnlyDictionary<BadBillKind, long> BadBills, long BadRows, TimeSpan Elapsed);

/// <summary>
/// Writes a bill file for the v2 transactions API: one row per line item, the bill's fields repeated
/// on each. Amounts add up (value = qty × rate, item_amount = value − item_discount, gross_amount =
/// Σ value, discount = Σ item_discount, bill_amount = gross_amount − discount). Bills are in time
/// order. A share of bills is deliberately bad, all of their rows alike, so reject paths get work.
/// </summary>
internal static class TransactionsGenerator
{
    public static readonly string[] Columns =
    [
        "bill_number", "bill_date", "mobile", "store_code", "bill_amount", "gross_amount", "discount", "payment_mode",
        "item_code", "item_description", "qty", "rate", "value", "item_discount", "item_amount",
    ];

    /// <summary>More lines than any real bill; caps the Poisson tail.</summary>
    public const int MaxLinesPerBill = 500;

    private const ulong Stream = 10;
    private static readonly CsvWriterOptions CsvOptions = CsvWriterOptions.Default with { NewLine = "\n", BufferSize = 1 << 20 };
    private static readonly byte[][] PaymentModes = [.. new[] { "Cash", "CardPayment", "UPI", "Wallet" }.Select(System.Text.Encoding.ASCII.GetBytes)];
    private static readonly double[] PaymentModeWeights = [0.3, 0.7, 0.95, 1.0];
    private static readonly byte[][] BadDates = [.. new[] { "2026-11-31 10:15:00", "2026-13-01 09:00:00", "27/11/2026 10:15", "yesterday" }.Select(System.Text.Encoding.ASCII.GetBytes)];

    public static TransactionsResult Generate(TransactionsOptions options, CancellationToken ct)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(options.Bills);
        ArgumentOutOfRangeException.ThrowIfLessThan(options.LinesPerBill, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(options.LinesPerBill, MaxLinesPerBill);
        ArgumentOutOfRangeException.ThrowIfLessThan(options.Members, 1);
        var stopwatch = Stopwatch.StartNew();
        var folder = Path.GetDirectoryName(Path.GetFullPath(options.OutputFile));
        if (folder is not null)
        {
            Directory.CreateDirectory(folder);
        }

        var temporary = options.OutputFile + ".partial";
        try
        {
            var counts = new Counts();
            using (var csv = CsvWriter.ToFile(temporary, CsvOptions, FileOptions.SequentialScan))
            {
                csv.WriteHeader(Columns);
                WriteBills(csv, options, counts, ct);
            }

            File.Move(temporary, options.OutputFile, overwrite: true);
            return new TransactionsResult(
                options.Bills, counts.Rows, new FileInfo(options.OutputFile).Length, counts.BadBills, counts.BadRows, stopwatch.Elapsed);
        }
        catch
        {
            File.Delete(temporary);
            throw;
        }
    }

    private static void WriteBills(CsvWriter csv, TransactionsOptions options, Counts counts, CancellationToken ct)
    {
        var catalog = ItemCatalog.Default;
        var end = new ExportTimeline(ExportOptions.DefaultExportTime).DataEnd;
        var start = end - (options.Days * 86_400L);
        var step = (double)(end - start) / Math.Max(options.Bills, 1);
        var lines = new Line[MaxLinesPerBill];
        Span<byte> buffer = stackalloc byte[64];
        for (var bill = 0L; bill < options.Bills; bill++)
        {
            if ((bill & 0xFFFF) == 0)
            {
                ct.ThrowIfCancellationRequested();
            }

            var random = SplitMix.For(options.Seed, Stream, bill);
            var lineCount = Math.Min(1 + random.NextPoisson(options.LinesPerBill - 1), MaxLinesPerBill);
            var (gross, discount) = MakeLines(lines.AsSpan(0, lineCount), catalog, ref random);
            // Drawn for every bill, so that the share of bad bills changes nothing else about them.
            var kind = (BadBillKind)random.Next(3);
            BadBillKind? bad = random.Chance(options.BadShare) ? kind : null;
            var header = new BillHeader(
                Number: bill + 1,
                Time: start + (long)((bill + random.NextDouble()) * step),
                Member: random.NextLong(0, options.Members),
                Store: (int)(Vocabulary.Stores.Length * Math.Pow(random.NextDouble(), 2.5)),
                Gross: gross,
                Discount: discount,
                PaymentMode: random.Pick(PaymentModeWeights),
                BadDate: random.Next(BadDates.Length),
                Bad: bad);
            foreach (var line in lines.AsSpan(0, lineCount))
            {
                WriteRow(csv, header, line, catalog, buffer);
            }

            counts.Add(lineCount, bad);
        }
    }

    private static (long Gross, long Discount) MakeLines(Span<Line> lines, ItemCatalog catalog, ref SplitMix random)
    {
        long gross = 0, discount = 0;
        for (var i = 0; i < lines.Length; i++)
        {
            var item = random.Next(catalog.Count);
            var quantity = random.Chance(0.8) ? 1 : 2 + random.Next(4);
            var value = quantity * catalog.Rates[item];
            var itemDiscount = random.Chance(0.25) ? value * (5 * (1 + random.Next(4))) / 100 : 0;
            lines[i] = new Line(item, quantity, value, itemDiscount);
            gross += value;
            discount += itemDiscount;
        }

        return (gross, discount);
    }

    private static void WriteRow(CsvWriter csv, in BillHeader bill, in Line line, ItemCatalog catalog, Span<byte> buffer)
    {
        buffer[0] = (byte)'B';
        csv.WriteField(buffer[..(1 + Utf8Format.Integer(buffer[1..], 100_000_000 + bill.Number))]);
        csv.WriteField(bill.Bad == BadBillKind.BadDate ? BadDates[bill.BadDate] : buffer[..Utf8Format.DateTime(buffer, bill.Time)]);
        csv.WriteField(bill.Bad == BadBillKind.MissingMobile ? [] : buffer[..Utf8Format.Integer(buffer, MemberIdentity.Mobile(bill.Member))]);
        csv.WriteField(Vocabulary.Stores[bill.Store]);
        var amount = bill.Gross - bill.Discount;
        csv.WriteField(buffer[..Utf8Format.Amount(buffer, bill.Bad == BadBillKind.NegativeAmount ? -amount : amount)]);
        csv.WriteField(buffer[..Utf8Format.Amount(buffer, bill.Gross)]);
        csv.WriteField(buffer[..Utf8Format.Amount(buffer, bill.Discount)]);
        csv.WriteField(PaymentModes[bill.PaymentMode]);
        csv.WriteField(catalog.Codes[line.Item]);
        csv.WriteField(catalog.Descriptions[line.Item]);
        csv.WriteField(buffer[..Utf8Format.Integer(buffer, line.Quantity)]);
        csv.WriteField(buffer[..Utf8Format.Amount(buffer, catalog.Rates[line.Item])]);
        csv.WriteField(buffer[..Utf8Format.Amount(buffer, line.Value)]);
        csv.WriteField(buffer[..Utf8Format.Amount(buffer, line.Discount)]);
        csv.WriteField(buffer[..Utf8Format.Amount(buffer, line.Value - line.Discount)]);
        csv.EndRecord();
    }

    private readonly record struct Line(int Item, int Quantity, long Value, long Discount);

    private readonly record struct BillHeader(
        long Number, long Time, long Member, int Store, long Gross, long Discount, int PaymentMode, int BadDate, BadBillKind? Bad);

    private sealed class Counts
    {
        private readonly Dictionary<BadBillKind, long> _badBills = Enum.GetValues<BadBillKind>().ToDictionary(k => k, _ => 0L);

        public long Rows { get; private set; }

        public long BadRows { get; private set; }

        public IReadOnlyDictionary<BadBillKind, long> BadBills => _badBills;

        public void Add(int rows, BadBillKind? bad)
        {
            Rows += rows;
            if (bad is { } kind)
            {
                _badBills[kind]++;
                BadRows += rows;
            }
        }
    }
}
