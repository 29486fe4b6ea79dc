using System.Globalization;
using ConnectPlus.Bench.Transactions;
using ConnectPlus.Bench.Workload;
using ConnectPlus.Tests.Harness;

namespace ConnectPlus.Tests.Bench;

public sealed class TransactionsGeneratorTests : IDisposable
{
    private readonly TempFolder _temp = new();

    public void Dispose() => _temp.Dispose();

    [Fact]
    public void Generate_WritesIdenticalFiles_ForTheSameSeed()
    {
        Generate(bills: 3_000, file: "a.csv");
        Generate(bills: 3_000, file: "b.csv");
        Generate(bills: 3_000, file: "c.csv", seed: 2);

        Assert.Equal(File.ReadAllBytes(_temp["a.csv"]), File.ReadAllBytes(_temp["b.csv"]));
        Assert.NotEqual(File.ReadAllBytes(_temp["a.csv"]), File.ReadAllBytes(_temp["c.csv"]));
    }

    [Fact]
    public void Generate_WritesOneRowPerLineItem_WithTheTransactionColumns()
    {
        var result = Generate(bills: 10);

        var csv = BenchCsv.Read(_temp["tx.csv"]);
        Assert.Equal(
            ["bill_number", "bill_date", "mobile", "store_code", "bill_amount", "gross_amount", "discount", "payment_mode",
             "item_code", "item_description", "qty", "rate", "value", "item_discount", "item_amount"],
            csv.Header);
        Assert.Equal(result.Rows, csv.Rows.Count);
        Assert.Equal(10, csv.Column("bill_number").Distinct().Count());
        Assert.Equal(new FileInfo(_temp["tx.csv"]).Length, result.Bytes);
    }

    [Theory]
    [InlineData(1.0)]
    [InlineData(2.0)]
    [InlineData(4.5)]
    public void Generate_AveragesTheAskedLinesPerBill(double linesPerBill)
    {
        var result = Generate(bills: 20_000, linesPerBill: linesPerBill);

        Assert.InRange(result.Rows / 20_000.0, linesPerBill * 0.97, linesPerBill * 1.03);
        var lines = BenchCsv.Read(_temp["tx.csv"]).Column("bill_number").CountBy(b => b).Select(b => b.Value).ToList();
        Assert.Equal(1, lines.Min());
        Assert.Equal(linesPerBill > 1, lines.Max() > 1);
    }

    [Fact]
    public void Generate_MakesAmountsAddUp_OnGoodBills()
    {
        Generate(bills: 2_000, badShare: 0);

        foreach (var bill in Rows().GroupBy(r => r["bill_number"]))
        {
            var lines = bill.ToList();
            Assert.All(lines, l =>
            {
                Assert.Equal(long.Parse(l["qty"], CultureInfo.InvariantCulture) * Amount(l["rate"]), Amount(l["value"]));
                Assert.Equal(Amount(l["value"]) - Amount(l["item_discount"]), Amount(l["item_amount"]));
            });
            var first = lines[0];
            Assert.Equal(lines.Sum(l => Amount(l["value"])), Amount(first["gross_amount"]));
            Assert.Equal(lines.Sum(l => Amount(l["item_discount"])), Amount(first["discount"]));
            Assert.Equal(Amount(first["gross_amount"]) - Amount(first["discount"]), Amount(first["bill_amount"]));
            Assert.All(lines, l => Assert.Equal(first["bill_date"], l["bill_date"]));
        }
    }

    [Fact]
    public void Generate_WritesNoBadRow_WhenBadShareIsZero()
    {
        var result = Generate(bills: 5_000, badShare: 0);

        Assert.Equal(0, result.BadRows);
        Assert.All(Rows(), r =>
        {
            Assert.Matches("^91[6-9][0-9]{9}$", r["mobile"]);
            Assert.True(DateTime.TryParseExact(r["bill_date"], "yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture, DateTimeStyles.None, out _));
            Assert.True(Amount(r["bill_amount"]) >= 0);
        });
    }

    [Fact]
    public void Generate_WritesEachKindOfBadRow_AtAboutTheAskedShare()
    {
        var result = Generate(bills: 10_000, badShare: 0.05);

        var rows = Rows().ToList();
        var negative = rows.Where(r => Amount(r["bill_amount"]) < 0).ToList();
        var badDate = rows.Where(r => !DateTime.TryParseExact(
            r["bill_date"], "yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture, DateTimeStyles.None, out _)).ToList();
        var noMobile = rows.Where(r => r["mobile"].Length == 0).ToList();
        Assert.Equal(result.BadRows, negative.Count + badDate.Count + noMobile.Count);
        Assert.InRange(result.BadBills.Values.Sum(), 400, 600);
        Assert.Equal(result.BadBills[BadBillKind.NegativeAmount], negative.Select(r => r["bill_number"]).Distinct().Count());
        Assert.Equal(result.BadBills[BadBillKind.BadDate], badDate.Select(r => r["bill_number"]).Distinct().Count());
        Assert.Equal(result.BadBills[BadBillKind.MissingMobile], noMobile.Select(r => r["bill_number"]).Distinct().Count());
        Assert.All(result.BadBills.Values, count => Assert.True(count > 100));
    }

    [Fact]
    public void Generate_ChangesOnlyTheBadBills_WhenTheBadShareChanges()
    {
        Generate(bills: 2_000, badShare: 0, file: "good.csv");
        Generate(bills: 2_000, badShare: 0.1, file: "some-bad.csv");

        var good = BenchCsv.Read(_temp["good.csv"]).Rows;
        var someBad = BenchCsv.Read(_temp["some-bad.csv"]).Rows;
        Assert.Equal(good.Count, someBad.Count);
        var differing = good.Zip(someBad).Count(p => !p.First.SequenceEqual(p.Second));
        Assert.InRange(differing, 1, good.Count / 5);
    }

    [Fact]
    public void Generate_NamesTheMobilesOfExportMembers()
    {
        Generate(bills: 3_000, members: 50);

        var mobiles = Enumerable.Range(0, 50).Select(i => MemberIdentity.Mobile(i).ToString(CultureInfo.InvariantCulture)).ToHashSet();
        Assert.Subset(mobiles, Rows().Select(r => r["mobile"]).Where(m => m.Length > 0).ToHashSet());
    }

    [Fact]
    public void Generate_QuotesDescriptionsWithCommasOrQuotes()
    {
        Generate(bills: 3_000);

        var descriptions = BenchCsv.Read(_temp["tx.csv"]).Column("item_description").ToHashSet();
        Assert.Contains(descriptions, d => d.Contains(',', StringComparison.Ordinal));
        Assert.Contains(descriptions, d => d.Contains('"', StringComparison.Ordinal));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    public void Generate_HandlesTinyFiles(int bills)
    {
        var result = Generate(bills: bills);

        var csv = BenchCsv.Read(_temp["tx.csv"]);
        Assert.Equal(15, csv.Header.Count);
        Assert.Equal(bills, csv.Column("bill_number").Distinct().Count());
        Assert.Equal(result.Rows, csv.Rows.Count);
        Assert.False(File.Exists(_temp["tx.csv.partial"]));
    }

    private static long Amount(string text) =>
        (long)Math.Round(decimal.Parse(text, CultureInfo.InvariantCulture) * 100);

    private IEnumerable<Dictionary<string, string>> Rows() => BenchCsv.Read(_temp["tx.csv"]).Records();

    private TransactionsResult Generate(
        int bills, string file = "tx.csv", double linesPerBill = 2, double badShare = 0.001, ulong seed = 1, long members = 100_000) =>
        TransactionsGenerator.Generate(
            new TransactionsOptions
            {
                Bills = bills,
                OutputFile = _temp[file],
                LinesPerBill = linesPerBill,
                BadShare = badShare,
                Seed = seed,
                Members = members,
            },
            CancellationToken.None);
}
