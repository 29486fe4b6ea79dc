using System.Net;
using Amazon.S3;
using ConnectPlus.Engine.Connectors;
using ConnectPlus.Engine.Connectors.S3;

namespace ConnectPlus.Tests.Connectors;

/// <summary>The contract on s3rver (an S3 emulator), with the test bucket and a prefix per test.</summary>
[Collection(FileServersGroup.Name)]
public sealed class S3FileLocationTests : RemoteFileLocationContractTests
{
    internal static S3ConnectionSettings Settings(string prefix, string? serviceUrl = null) => new()
    {
        Bucket = TestServers.S3Bucket,
        Region = "us-east-1",
        Prefix = prefix,
        AccessKeyId = TestServers.S3AccessKey,
        SecretAccessKey = TestServers.S3SecretKey,
        ServiceUrl = serviceUrl ?? TestServers.S3Url,
        ForcePathStyle = true,
        TimeoutSeconds = 10,
    };

    protected override bool FoldersAreReal => false;

    protected override ConnectionDefinition ConnectionFor(string root) => Define("s3", Settings(root));

    protected override IFileLocation Open(string root, RetryPolicy? retry = null) =>
        new S3FileLocation(Settings(root), retry);

    protected override IFileLocation OpenAt(string host, int port, string root, RetryPolicy? retry = null, int timeoutSeconds = 10)
    {
        var settings = Settings(root, $"http://{host}:{port}");
        settings.TimeoutSeconds = timeoutSeconds;
        return new S3FileLocation(settings, retry);
    }

    /// <summary>
    /// s3rver does not check SigV4 signatures (a wrong secret passes), but it does check access key IDs; the
    /// error codes it cannot produce are covered by <see cref="Classify_MapsS3ErrorCodes"/>.
    /// </summary>
    protected override IFileLocation OpenWithWrongPassword(RetryPolicy? retry = null)
    {
        var settings = Settings(RootName);
        settings.AccessKeyId = "WRONGKEY";
        settings.SecretAccessKey = "wrong-Pa55";
        return new S3FileLocation(settings, retry);
    }

    protected override IFileLocation OpenWithMissingRoot()
    {
        var settings = Settings(RootName);
        settings.Bucket = "missing-" + RootName;
        return new S3FileLocation(settings);
    }

    protected override PrivateServer PrivateServerAt(int port) => PrivateServer.S3rver(port);

    protected override Task CreateRootAsync(string root) => Task.CompletedTask;

    protected override async Task RemoveRootAsync(string root)
    {
        await using var location = Open(root);
        foreach (var path in await ListPathsAsync(location: location))
            await location.DeleteAsync(path, CancellationToken.None);
    }

    [Fact]
    public async Task Write_OfMultipartSize_IsInvisibleUntilComplete_AndAbortedOnFailure()
    {
        var size = 3L * S3FileLocation.PartSize + 123;
        var content = new GeneratedContent(size) { FailAt = 2L * S3FileLocation.PartSize + 5 };

        await Assert.ThrowsAsync<IOException>(() => Location.WriteAsync("multi.bin", content, ConflictMode.Fail, CancellationToken.None));
        await using (var complete = new GeneratedContent(size))
            await Location.WriteAsync("multi.bin", complete, ConflictMode.Fail, CancellationToken.None);

        Assert.Equal(size, (await Location.StatAsync("multi.bin", CancellationToken.None))?.Size);
    }

    [Fact]
    public async Task Display_NamesBucketPrefixAndEndpoint_WithoutSecret()
    {
        await using var location = Open("in/brand");

        Assert.Equal($"s3://{TestServers.S3Bucket}/in/brand at {TestServers.S3Url}", location.Display);
        Assert.DoesNotContain(TestServers.S3SecretKey, location.Display, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("SignatureDoesNotMatch", HttpStatusCode.Forbidden, ConnectionFailure.AuthenticationFailed)]
    [InlineData("InvalidAccessKeyId", HttpStatusCode.Forbidden, ConnectionFailure.AuthenticationFailed)]
    [InlineData("AccessDenied", HttpStatusCode.Forbidden, ConnectionFailure.PermissionDenied)]
    [InlineData("NoSuchBucket", HttpStatusCode.NotFound, ConnectionFailure.NotFoundOnServer)]
    [InlineData("PreconditionFailed", HttpStatusCode.PreconditionFailed, ConnectionFailure.AlreadyExists)]
    [InlineData("SlowDown", HttpStatusCode.ServiceUnavailable, ConnectionFailure.ConnectionLost)]
    [InlineData("PermanentRedirect", HttpStatusCode.MovedPermanently, ConnectionFailure.InvalidSettings)]
    [InlineData("Whatever", HttpStatusCode.BadGateway, ConnectionFailure.ConnectionLost)]
    public async Task Classify_MapsS3ErrorCodes(string code, HttpStatusCode status, ConnectionFailure expected)
    {
        await using var location = new S3FileLocation(Settings(RootName));
        var error = new AmazonS3Exception("message") { ErrorCode = code, StatusCode = status };

        Assert.Equal(expected, location.Classify(error).Failure);
    }
}
