using System.IO.Compression;
using ConnectPlus.Bench.Export;
using ConnectPlus.Bench.Workload;
using ConnectPlus.Tests.Harness;

namespace ConnectPlus.Tests.Bench;

public sealed class ExportGeneratorTests : IDisposable
{
    private readonly TempFolder _temp = new();

    public void Dispose() => _temp.Dispose();

    [Fact]
    public void Generate_WritesIdenticalFiles_ForTheSameSeed()
    {
        var first = Generate(members: 2_000, zip: false, folder: "a");
        var second = Generate(members: 2_000, zip: false, folder: "b");

        Assert.Equal(3, first.Files.Count);
        foreach (var file in first.Files)
        {
            Assert.Equal(File.ReadAllBytes(_temp[Path.Combine("a", file.Name)]), File.ReadAllBytes(_temp[Path.Combine("b", file.Name)]));
        }

        Assert.Equal(first.Files, second.Files);
    }

    [Fact]
    public void Generate_WritesIdenticalZips_ForTheSameSeed()
    {
        var first = Generate(members: 2_000, zip: true, folder: "a");
        var second = Generate(members: 2_000, zip: true, folder: "b");

        Assert.Equal(File.ReadAllBytes(first.ZipPath!), File.ReadAllBytes(second.ZipPath!));
    }

    [Fact]
    public void Generate_WritesOtherData_ForAnotherSeed()
    {
        Generate(members: 500, zip: false, folder: "a", seed: 1);
        Generate(members: 500, zip: false, folder: "b", seed: 2);

        var a = Members("a");
        var b = Members("b");
        // Identifiers depend on the member index only; everything else on the seed.
        Assert.Equal(a.Column("user_id"), b.Column("user_id"));
        Assert.Equal(a.Column("mobile"), b.Column("mobile"));
        Assert.NotEqual(a.Column("first_name"), b.Column("first_name"));
        Assert.NotEqual(a.Column("lifetime_points"), b.Column("lifetime_points"));
    }

    [Fact]
    public void Generate_WritesTheColumnsOfTheCapillaryTemplates()
    {
        Generate(members: 100, zip: false);

        Assert.Equal(
            ["user_id", "mobile", "email", "external_id", "first_name", "last_name", "slab", "current_points",
             "lifetime_points", "lifetime_purchases", "joined_date", "last_transaction_date", "store"],
            Members().Header);
        Assert.Equal(["id", "user_id", "slab_name", "previous_slab", "event_time", "notes"], SlabChanges().Header);
        Assert.Equal(
            ["id", "user_id", "source", "mobile", "email", "external_id", "first_name", "last_name", "channel_account"],
            Profiles().Header);
    }

    [Fact]
    public void Generate_NamesFilesAsDataExportDoes()
    {
        var result = Generate(members: 10, zip: true);

        Assert.Equal("DailyExport_2026-11-27-02-00-00.zip", Path.GetFileName(result.ZipPath));
        Assert.Collection(
            result.Files,
            f => Assert.Matches(@"^DailyExport_Members_2026-11-27-02-00-00_\d{13}\.csv$", f.Name),
            f => Assert.Matches(@"^DailyExport_SlabChangeLog_2026-11-27-02-00-00_\d{13}\.csv$", f.Name),
            f => Assert.Matches(@"^DailyExport_Profiles_2026-11-27-02-00-00_\d{13}\.csv$", f.Name));
        Assert.Equal(["DailyExport_2026-11-27-02-00-00.zip"], Directory.GetFiles(_temp.Path).Select(Path.GetFileName));
    }

    [Fact]
    public void Generate_WritesRealisticMemberValues()
    {
        Generate(members: 2_000, zip: false);

        var members = Members().Records().ToList();
        Assert.All(members, m =>
        {
            Assert.Matches("^91[6-9][0-9]{9}$", m["mobile"]);
            Assert.Matches("^(|C[0-9]{8})$", m["external_id"]);
            Assert.Matches("^(|[a-z_.0-9]+@[a-z.]+)$", m["email"]);
            Assert.Matches("^(BASE|SILVER|GOLD|PLATINUM)$", m["slab"]);
            Assert.Matches(@"^\d{4}-\d{2}-\d{2}$", m["joined_date"]);
            Assert.True(long.Parse(m["current_points"]) <= long.Parse(m["lifetime_points"]));
            Assert.Matches(@"^\d+\.\d{2}$", m["lifetime_purchases"]);
        });
        Assert.Equal(members.Count, members.Select(m => m["user_id"]).Distinct().Count());
        Assert.Equal(members.Count, members.Select(m => m["mobile"]).Distinct().Count());
        Assert.Contains(members, m => m["email"].Length == 0);
        Assert.Contains(members, m => m["last_transaction_date"].Length == 0);
        Assert.Contains(members, m => m["last_name"].Contains('\'', StringComparison.Ordinal));
        Assert.True(
            members.Select(m => m["joined_date"]).SequenceEqual(members.Select(m => m["joined_date"]).Order(StringComparer.Ordinal)),
            "Members come in sign-up order, so join dates rise.");
    }

    [Fact]
    public void Generate_NamesOnlyMembers_InChangeLogAndProfiles_WhenThereAreNoOrphans()
    {
        Generate(members: 3_000, zip: false);

        var members = Members().Column("user_id").ToHashSet();
        Assert.Subset(members, SlabChanges().Column("user_id").ToHashSet());
        Assert.Subset(members, Profiles().Column("user_id").ToHashSet());
    }

    [Fact]
    public void Generate_AddsOrphans_WithUserIdsNoMemberHas_WhenAsked()
    {
        Generate(members: 3_000, zip: false, orphanShare: 0.02);

        var members = Members().Column("user_id").ToHashSet();
        var orphanChanges = SlabChanges().Column("user_id").Where(id => !members.Contains(id)).ToList();
        var orphanProfiles = Profiles().Column("user_id").Where(id => !members.Contains(id)).ToList();
        Assert.InRange(orphanChanges.Count, 30, 100);
        Assert.InRange(orphanProfiles.Count, 30, 100);
        // Orphan ids are of their own kind (remainder 3 mod 4), distinct from every member's.
        Assert.All(orphanChanges.Concat(orphanProfiles), id => Assert.Equal(3, long.Parse(id) % 4));
    }

    [Fact]
    public void Generate_WritesAboutOneChangeAndOneProfilePerMember_SomeWithNoneOrSeveral()
    {
        Generate(members: 5_000, zip: false);

        var changesPerMember = SlabChanges().Column("user_id").CountBy(id => id).ToDictionary();
        var profilesPerMember = Profiles().Column("user_id").CountBy(id => id).ToDictionary();
        var members = Members().Column("user_id").ToList();
        Assert.InRange(changesPerMember.Values.Sum() / (double)members.Count, 0.9, 1.1);
        Assert.InRange(profilesPerMember.Values.Sum() / (double)members.Count, 0.95, 1.1);
        Assert.Contains(members, id => !changesPerMember.ContainsKey(id));
        Assert.Contains(changesPerMember.Values, count => count >= 2);
        Assert.Contains(members, id => !profilesPerMember.ContainsKey(id));
        Assert.Contains(profilesPerMember.Values, count => count == 2);
    }

    [Fact]
    public void Generate_KeepsTierChangesConsistent_WithTheMembersCurrentTier()
    {
        Generate(members: 3_000, zip: false);

        var slabs = Members().Records().ToDictionary(m => m["user_id"], m => m["slab"]);
        var changes = SlabChanges().Records().ToList();
        Assert.True(
            changes.Select(c => c["event_time"]).SequenceEqual(changes.Select(c => c["event_time"]).Order(StringComparer.Ordinal)),
            "The change log is in time order.");
        foreach (var history in changes.GroupBy(c => c["user_id"]))
        {
            var steps = history.ToList();
            for (var i = 1; i < steps.Count; i++)
            {
                Assert.Equal(steps[i - 1]["slab_name"], steps[i]["previous_slab"]);
            }

            Assert.Equal(slabs[history.Key], steps[^1]["slab_name"]);
            Assert.All(steps, s => Assert.NotEqual(s["previous_slab"], s["slab_name"]));
        }
    }

    [Fact]
    public void Generate_QuotesNotesThatHoldACommaOrAQuote()
    {
        Generate(members: 5_000, zip: false);

        var notes = SlabChanges().Column("notes").ToHashSet();
        Assert.Contains("Upgraded, festive bonus", notes);
        Assert.Contains("Goodwill upgrade \"VIP\"", notes);
        var raw = File.ReadAllText(Directory.GetFiles(_temp.Path, "*SlabChangeLog*").Single());
        Assert.Contains("\"Goodwill upgrade \"\"VIP\"\"\"", raw, StringComparison.Ordinal);
    }

    [Fact]
    public void Generate_CopiesMemberIdentities_IntoTheirInStoreProfile()
    {
        Generate(members: 2_000, zip: false);

        var members = Members().Records().ToDictionary(m => m["user_id"]);
        var inStore = Profiles().Records().Where(p => p["source"] == "INSTORE").ToList();
        Assert.NotEmpty(inStore);
        Assert.All(inStore, p =>
        {
            var member = members[p["user_id"]];
            Assert.Equal(member["mobile"], p["mobile"]);
            Assert.Equal(member["email"], p["email"]);
            Assert.Equal(member["first_name"], p["first_name"]);
            Assert.Empty(p["channel_account"]);
        });
        Assert.All(Profiles().Records().Where(p => p["source"] != "INSTORE"), p => Assert.NotEmpty(p["channel_account"]));
    }

    [Theory]
    [InlineData(2_000)]
    [InlineData(25_000)]
    public void Generate_ZipHoldsTheThreeCsvs_ByteForByte(int members)
    {
        var zipped = Generate(members, zip: true, folder: "zip");
        var plain = Generate(members, zip: false, folder: "plain");

        using var zip = ZipFile.OpenRead(zipped.ZipPath!);
        Assert.Equal(plain.Files.Select(f => f.Name), zip.Entries.Select(e => e.FullName));
        foreach (var entry in zip.Entries)
        {
            using var content = new MemoryStream();
            using (var stream = entry.Open())
            {
                stream.CopyTo(content);
            }

            Assert.Equal(File.ReadAllBytes(_temp[Path.Combine("plain", entry.FullName)]), content.ToArray());
            Assert.Equal(new DateTime(2026, 11, 27, 2, 0, 0), entry.LastWriteTime.DateTime);
        }

        Assert.Equal(plain.Files, zipped.Files);
        Assert.True(zipped.ZipBytes < zipped.CsvBytes / 2, "The CSVs are deflated.");
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(2)]
    public void Generate_HandlesTinyExports(int members)
    {
        var result = Generate(members, zip: true);

        using var zip = ZipFile.OpenRead(result.ZipPath!);
        Assert.Equal(3, zip.Entries.Count);
        using var stream = zip.Entries[0].Open();
        var csv = BenchCsv.Read(stream);
        Assert.Equal(13, csv.Header.Count);
        Assert.Equal(members, csv.Rows.Count);
        Assert.Equal(members, result.Files[0].Rows);
    }

    [Fact]
    public void Generate_LeavesNoPartialFiles()
    {
        Generate(members: 100, zip: true);
        Generate(members: 100, zip: false);

        Assert.Empty(Directory.GetFiles(_temp.Path, "*.partial"));
    }

    [Fact]
    public void Generate_Refuses_MoreMembersThanIdentifiersStayUniqueFor()
    {
        var options = new ExportOptions { Members = MemberIdentity.MaxMembers + 1, OutputFolder = _temp.Path };

        Assert.Throws<ArgumentOutOfRangeException>(() => ExportGenerator.Generate(options, CancellationToken.None));
    }

    [Fact]
    public void Generate_Stops_WhenCancelled()
    {
        var options = new ExportOptions { Members = 100, OutputFolder = _temp.Path };

        Assert.ThrowsAny<OperationCanceledException>(() => ExportGenerator.Generate(options, new CancellationToken(canceled: true)));
        Assert.Empty(Directory.GetFiles(_temp.Path));
    }

    private ExportResult Generate(int members, bool zip, string folder = "", ulong seed = 1, double orphanShare = 0) =>
        ExportGenerator.Generate(
            new ExportOptions { Members = members, OutputFolder = _temp[folder], Zip = zip, Seed = seed, OrphanShare = orphanShare },
            CancellationToken.None);

    private BenchCsv Members(string folder = "") => Read(folder, "Members");

    private BenchCsv SlabChanges(string folder = "") => Read(folder, "SlabChangeLog");

    private BenchCsv Profiles(string folder = "") => Read(folder, "Profiles");

    private BenchCsv Read(string folder, string template) =>
        BenchCsv.Read(Directory.GetFiles(_temp[folder], $"DailyExport_{template}_*.csv").Single());
}
