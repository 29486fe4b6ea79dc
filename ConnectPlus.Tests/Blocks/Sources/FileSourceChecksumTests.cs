using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using ConnectPlus.Engine.Connectors;
using ConnectPlus.Engine.Connectors.S3;
using ConnectPlus.Engine.Delivery;
using ConnectPlus.Tests.Connectors;
using ConnectPlus.Tests.Harness;

namespace ConnectPlus.Tests.Blocks.Sources;

/// <summary>
/// The ledger's checksum column: filled where the location reports a checksum with its listing (S3's ETag),
/// empty where it would cost reading the whole file (SFTP, FTP, local folders).
/// </summary>
[Collection(FileServersGroup.Name)]
public sealed class FileSourceChecksumTests : IAsyncLifetime
{
    private const string Content = "id,name\n1,Asha\n";
    private readonly TempFolder _temp = new();
    private readonly string _root = "t" + Guid.NewGuid().ToString("N")[..12];
    private readonly JsonLinesProcessedFileLedger _ledger;

    public FileSourceChecksumTests() => _ledger = new JsonLinesProcessedFileLedger(_temp["ledger"]);

    public Task InitializeAsync() => ServerDisk.CreateFolderAsync(_root);

    public async Task DisposeAsync()
    {
        await ServerDisk.RemoveFolderAsync(_root);
        await using (var s3 = new S3FileLocation(S3FileLocationTests.Settings(_root)))
        {
            await foreach (var file in s3.ListAsync("", recursive: true, CancellationToken.None)) await s3.DeleteAsync(file.Path, CancellationToken.None);
        }
        _temp.Dispose();
    }

    [Fact]
    public async Task Run_RecordsTheS3ETagAsChecksum_InTheLedger()
    {
        await using (var s3 = new S3FileLocation(S3FileLocationTests.Settings(_root)))
            await s3.WriteAsync("in/a.csv", new MemoryStream(Encoding.UTF8.GetBytes(Content)), ConflictMode.Fail, CancellationToken.None);
        var connection = new JsonObject
        {
            ["bucket"] = TestServers.S3Bucket, ["region"] = "us-east-1", ["prefix"] = _root, ["accessKeyId"] = TestServers.S3AccessKey,
            ["secretAccessKey"] = TestServers.S3SecretKey, ["serviceUrl"] = TestServers.S3Url, ["forcePathStyle"] = true,
        };

        var checksums = await ReadAndRecordAsync("s3", connection);

        // S3's ETag of a single-part upload is the content's MD5: the test computes the same, to compare, not to protect anything.
#pragma warning disable CA5351
        var md5 = Convert.ToHexStringLower(MD5.HashData(Encoding.UTF8.GetBytes(Content)));
#pragma warning restore CA5351
        Assert.All(checksums, c => Assert.Equal("etag:" + md5, c));
    }

    [Fact]
    public async Task Run_LeavesTheChecksumEmpty_OnSftp()
    {
        Directory.CreateDirectory(Path.Combine(TestServers.UploadFolder, _root, "in"));
        await File.WriteAllTextAsync(Path.Combine(TestServers.UploadFolder, _root, "in", "a.csv"), Content);
        var connection = new JsonObject
        {
            ["host"] = TestServers.Host, ["port"] = TestServers.SftpPort, ["username"] = TestServers.User, ["password"] = TestServers.Password,
            ["rootFolder"] = "upload/" + _root,
        };

        var checksums = await ReadAndRecordAsync("sftp", connection);

        Assert.All(checksums, Assert.Null);
    }

    /// <summary>Reads the folder "in" with a file source on the connection; returns the checksums its ledger lines hold.</summary>
    private async Task<string?[]> ReadAndRecordAsync(string type, JsonObject settings)
    {
        var connections = new InMemoryConnectionProvider([new ConnectionDefinition { Name = "files", Type = type, Settings = settings }]);

        var result = await BlockHarness.For("file-source", new { connection = "files", sourceFolder = "in" })
            .WithService<IConnectionProvider>(connections).WithService<IProcessedFileLedger>(_ledger).RunAsync();

        result.AssertSucceeded();
        Assert.Equal("a.csv", Assert.Single(result.Files("files")).Item.Name);
        var lines = await File.ReadAllLinesAsync(Assert.Single(Directory.GetFiles(_ledger.Folder, "*.jsonl")));
        Assert.NotEmpty(lines);
        return [.. lines.Select(l => JsonNode.Parse(l)!["checksum"]?.GetValue<string>())];
    }
}
