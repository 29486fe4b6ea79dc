using System.Text;
using ConnectPlus.Engine.Connectors;

namespace ConnectPlus.Tests.Connectors;

/// <summary>Connector tests share the loopback servers and measure memory: they run one at a time.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class FileServersGroup
{
    public const string Name = "File servers";
}

/// <summary>
/// What every <see cref="IFileLocation"/> does, tested the same way on each kind (local folder, SFTP, FTP,
/// FTPS, S3) against a real server. Each test gets its own empty root folder.
/// </summary>
public abstract class FileLocationContractTests : IAsyncLifetime
{
    /// <summary>This test's own folder name (under the server's test area).</summary>
    protected string RootName { get; } = "t" + Guid.NewGuid().ToString("N")[..12];

    /// <summary>The location under test, rooted at <see cref="RootName"/>.</summary>
    protected IFileLocation Location { get; private set; } = null!;

    /// <summary>Opens a location on the server's test area, rooted at <paramref name="root"/>.</summary>
    protected abstract IFileLocation Open(string root, RetryPolicy? retry = null);

    /// <summary>Makes the empty folder <paramref name="root"/> exist (where folders exist).</summary>
    protected abstract Task CreateRootAsync(string root);

    /// <summary>Removes the folder <paramref name="root"/> and everything in it.</summary>
    protected abstract Task RemoveRootAsync(string root);

    /// <summary>A location whose root folder (or bucket) does not exist.</summary>
    protected virtual IFileLocation OpenWithMissingRoot() => Open(RootName + "-missing");

    /// <summary>Whether listing a folder that does not exist fails (false where folders are only name prefixes, as in S3).</summary>
    protected virtual bool FoldersAreReal => true;

    public async Task InitializeAsync()
    {
        await CreateRootAsync(RootName);
        Location = Open(RootName);
    }

    public async Task DisposeAsync()
    {
        await Location.DisposeAsync();
        await RemoveRootAsync(RootName);
    }

    protected async Task<string?> WriteTextAsync(string path, string text, ConflictMode mode = ConflictMode.Fail, IFileLocation? location = null)
    {
        using var content = new MemoryStream(Encoding.UTF8.GetBytes(text));
        return await (location ?? Location).WriteAsync(path, content, mode, CancellationToken.None);
    }

    protected async Task<string> ReadTextAsync(string path, IFileLocation? location = null)
    {
        await using var stream = await (location ?? Location).OpenReadAsync(path, CancellationToken.None);
        using var reader = new StreamReader(stream, Encoding.UTF8);
        return await reader.ReadToEndAsync();
    }

    protected async Task<List<string>> ListPathsAsync(string folder = "", bool recursive = true, IFileLocation? location = null)
    {
        var paths = new List<string>();
        await foreach (var file in (location ?? Location).ListAsync(folder, recursive, CancellationToken.None)) paths.Add(file.Path);
        return paths;
    }

    [Fact]
    public async Task Test_Succeeds_WhenRootFolderExists()
    {
        await Location.TestAsync(CancellationToken.None);

        Assert.DoesNotContain(TestServers.Password, Location.Display, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Test_FailsWithNotFoundOnServer_WhenRootFolderIsMissing()
    {
        await using var missing = OpenWithMissingRoot();

        var ex = await Assert.ThrowsAsync<ConnectionException>(() => missing.TestAsync(CancellationToken.None));

        Assert.Equal(ConnectionFailure.NotFoundOnServer, ex.Failure);
        Assert.False(ex.Transient);
        Assert.Contains("does not exist", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task List_ReturnsFilesSortedByPath_AndSubfoldersOnlyWhenRecursive()
    {
        foreach (var path in new[] { "b.csv", "sub/deeper/d.txt", "a.csv", "sub/c.csv", "a-z.csv" })
            await WriteTextAsync(path, $"content of {path}");

        var recursive = await ListPathsAsync();
        var flat = await ListPathsAsync(recursive: false);
        var sub = new List<RemoteFile>();
        await foreach (var file in Location.ListAsync("sub", recursive: true, CancellationToken.None)) sub.Add(file);

        Assert.Equal(["a-z.csv", "a.csv", "b.csv", "sub/c.csv", "sub/deeper/d.txt"], recursive);
        Assert.Equal(["a-z.csv", "a.csv", "b.csv"], flat);
        Assert.Equal(["sub/c.csv", "sub/deeper/d.txt"], sub.Select(f => f.Path));
        Assert.Equal("content of sub/c.csv".Length, sub[0].Size);
        Assert.Equal("d.txt", sub[1].Name);
    }

    [Fact]
    public async Task List_OfMissingFolder_FailsWithNotFoundOnServer_WhereFoldersAreReal()
    {
        await WriteTextAsync("present/a.csv", "a");

        if (FoldersAreReal)
        {
            var ex = await Assert.ThrowsAsync<ConnectionException>(() => ListPathsAsync("absent"));
            Assert.Equal(ConnectionFailure.NotFoundOnServer, ex.Failure);
            Assert.Contains("absent", ex.Message, StringComparison.Ordinal);
        }
        else
        {
            Assert.Empty(await ListPathsAsync("absent"));
        }
    }

    [Fact]
    public async Task Stat_ReturnsSizeAndModifiedTime_AndNullForMissingFileOrFolder()
    {
        var before = DateTimeOffset.UtcNow.AddMinutes(-2);
        await WriteTextAsync("in/x.csv", new string('x', 123));

        var file = await Location.StatAsync("in/x.csv", CancellationToken.None);
        var missing = await Location.StatAsync("in/missing.csv", CancellationToken.None);
        var folder = await Location.StatAsync("in", CancellationToken.None);

        Assert.NotNull(file);
        Assert.Equal("in/x.csv", file.Path);
        Assert.Equal(123, file.Size);
        Assert.InRange(file.Modified, before, DateTimeOffset.UtcNow.AddMinutes(2));
        Assert.Equal(TimeSpan.Zero, file.Modified.Offset);
        Assert.Null(missing);
        Assert.Null(folder);
    }

    [Fact]
    public async Task OpenRead_StreamsLargeFile_WithoutHoldingItInMemory()
    {
        const long size = 50L << 20;
        await using (var content = new GeneratedContent(size))
            await Location.WriteAsync("big.bin", content, ConflictMode.Fail, CancellationToken.None);
        var baseline = GC.GetTotalMemory(forceFullCollection: true);

        ContentReader.Result result;
        await using (var stream = await Location.OpenReadAsync("big.bin", CancellationToken.None))
            result = await ContentReader.ReadAsync(stream, baseline);

        Assert.Equal(size, result.Bytes);
        Assert.Equal(GeneratedContent.HashOf(size), result.Hash);
        // Buffering the file would hold 50 MB; streaming holds a few buffers.
        Assert.InRange(result.PeakHeapGrowth, long.MinValue, 16L << 20);
    }

    [Fact]
    public async Task OpenRead_FailsWithNotFoundOnServer_WhenFileIsMissing()
    {
        var ex = await Assert.ThrowsAsync<ConnectionException>(() => Location.OpenReadAsync("nothing-here.csv", CancellationToken.None));

        Assert.Equal(ConnectionFailure.NotFoundOnServer, ex.Failure);
        Assert.False(ex.Transient);
    }

    [Fact]
    public async Task Write_ShowsNoFileUnderFinalName_UntilContentIsComplete()
    {
        const long size = 10L << 20;
        await using var observer = Open(RootName);
        RemoteFile? seenWhileWriting = new("not looked", 0, default);
        List<string> listedWhileWriting = [];
        var content = new GeneratedContent(size)
        {
            PauseAt = (9L << 20, async () =>
            {
                seenWhileWriting = await observer.StatAsync("out/result.csv", CancellationToken.None);
                listedWhileWriting = await ListPathsAsync(location: observer);
            }),
        };

        var written = await Location.WriteAsync("out/result.csv", content, ConflictMode.Fail, CancellationToken.None);

        Assert.Equal("out/result.csv", written);
        Assert.Null(seenWhileWriting);
        Assert.DoesNotContain("out/result.csv", listedWhileWriting);
        Assert.Equal(size, (await Location.StatAsync("out/result.csv", CancellationToken.None))?.Size);
        Assert.Equal(["out/result.csv"], await ListPathsAsync());
    }

    [Fact]
    public async Task Write_WithReplace_KeepsOldContentReadable_UntilNewContentIsComplete()
    {
        await WriteTextAsync("r.csv", "old content");
        await using var observer = Open(RootName);
        string? seenWhileWriting = null;
        var content = new GeneratedContent(10L << 20)
        {
            PauseAt = (9L << 20, async () => seenWhileWriting = await ReadTextAsync("r.csv", observer)),
        };

        await Location.WriteAsync("r.csv", content, ConflictMode.Replace, CancellationToken.None);

        Assert.Equal("old content", seenWhileWriting);
        Assert.Equal(10L << 20, (await Location.StatAsync("r.csv", CancellationToken.None))?.Size);
        Assert.Equal(["r.csv"], await ListPathsAsync());
    }

    [Fact]
    public async Task Write_WithRename_WritesUnderNextFreeName()
    {
        await WriteTextAsync("a.csv", "first");

        var second = await WriteTextAsync("a.csv", "second", ConflictMode.Rename);
        var third = await WriteTextAsync("a.csv", "third", ConflictMode.Rename);

        Assert.Equal("a_1.csv", second);
        Assert.Equal("a_2.csv", third);
        Assert.Equal("first", await ReadTextAsync("a.csv"));
        Assert.Equal("second", await ReadTextAsync("a_1.csv"));
        Assert.Equal("third", await ReadTextAsync("a_2.csv"));
    }

    [Fact]
    public async Task Write_WithSkip_LeavesExistingFile_AndReturnsNull()
    {
        await WriteTextAsync("a.csv", "first");

        var written = await WriteTextAsync("a.csv", "second", ConflictMode.Skip);

        Assert.Null(written);
        Assert.Equal("first", await ReadTextAsync("a.csv"));
    }

    [Fact]
    public async Task Write_WithFail_ThrowsAlreadyExists_AndLeavesExistingFile()
    {
        await WriteTextAsync("a.csv", "first");

        var ex = await Assert.ThrowsAsync<ConnectionException>(() => WriteTextAsync("a.csv", "second", ConflictMode.Fail));

        Assert.Equal(ConnectionFailure.AlreadyExists, ex.Failure);
        Assert.Contains("a.csv", ex.Message, StringComparison.Ordinal);
        Assert.Equal("first", await ReadTextAsync("a.csv"));
    }

    [Fact]
    public async Task Write_CreatesMissingFolders()
    {
        var written = await WriteTextAsync("new/deep/x.csv", "x");

        Assert.Equal("new/deep/x.csv", written);
        Assert.Equal("x", await ReadTextAsync("new/deep/x.csv"));
    }

    [Fact]
    public async Task Write_CreatesTheSameMissingFolder_FromSeveralWritersAtOnce()
    {
        // Several destination blocks of one run write into the same new folder, each over its own connection.
        var locations = Enumerable.Range(0, 4).Select(_ => Open(RootName)).ToList();
        try
        {
            var writes = locations.Select((location, i) => WriteTextAsync($"results/day/{i}.csv", $"file {i}", location: location));
            var written = await Task.WhenAll(writes);

            Assert.Equal(["results/day/0.csv", "results/day/1.csv", "results/day/2.csv", "results/day/3.csv"], written.Order());
            for (var i = 0; i < locations.Count; i++) Assert.Equal($"file {i}", await ReadTextAsync($"results/day/{i}.csv"));
        }
        finally
        {
            foreach (var location in locations) await location.DisposeAsync();
        }
    }

    [Fact]
    public async Task Write_LeavesNoFile_WhenContentFailsMidway()
    {
        var content = new GeneratedContent(4L << 20) { FailAt = 1L << 20 };

        var ex = await Assert.ThrowsAsync<IOException>(() => Location.WriteAsync("out/broken.csv", content, ConflictMode.Replace, CancellationToken.None));

        Assert.Contains("on purpose", ex.Message, StringComparison.Ordinal);
        Assert.Null(await Location.StatAsync("out/broken.csv", CancellationToken.None));
        Assert.Empty(await ListPathsAsync(FoldersAreReal ? "" : "out"));
    }

    [Fact]
    public async Task Move_RenamesFile_CreatingTargetFolder()
    {
        await WriteTextAsync("in/a.csv", "payload");

        await Location.MoveAsync("in/a.csv", "done/2026/a.csv", CancellationToken.None);

        Assert.Null(await Location.StatAsync("in/a.csv", CancellationToken.None));
        Assert.Equal("payload", await ReadTextAsync("done/2026/a.csv"));
    }

    [Fact]
    public async Task Move_FailsWithAlreadyExists_WhenTargetExists()
    {
        await WriteTextAsync("in/a.csv", "source");
        await WriteTextAsync("done/a.csv", "target");

        var ex = await Assert.ThrowsAsync<ConnectionException>(() => Location.MoveAsync("in/a.csv", "done/a.csv", CancellationToken.None));

        Assert.Equal(ConnectionFailure.AlreadyExists, ex.Failure);
        Assert.Equal("source", await ReadTextAsync("in/a.csv"));
        Assert.Equal("target", await ReadTextAsync("done/a.csv"));
    }

    [Fact]
    public async Task Move_FailsWithNotFoundOnServer_WhenSourceIsMissing()
    {
        var ex = await Assert.ThrowsAsync<ConnectionException>(() => Location.MoveAsync("in/none.csv", "done/none.csv", CancellationToken.None));

        Assert.Equal(ConnectionFailure.NotFoundOnServer, ex.Failure);
    }

    [Fact]
    public async Task Delete_RemovesFile_AndIgnoresMissingFile()
    {
        await WriteTextAsync("a.csv", "a");
        await WriteTextAsync("b.csv", "b");

        await Location.DeleteAsync("a.csv", CancellationToken.None);
        await Location.DeleteAsync("a.csv", CancellationToken.None);
        await Location.DeleteAsync("no/such/folder/c.csv", CancellationToken.None);

        Assert.Equal(["b.csv"], await ListPathsAsync());
    }

    [Fact]
    public async Task Paths_ThatLeaveTheRoot_AreRefused()
    {
        var ex = await Assert.ThrowsAsync<ConnectionException>(() => WriteTextAsync("../outside.csv", "x"));

        Assert.Equal(ConnectionFailure.InvalidSettings, ex.Failure);
    }
}
