using ConnectPlus.Engine.Connectors;
using ConnectPlus.Engine.Connectors.Ftp;

namespace ConnectPlus.Tests.Connectors;

/// <summary>The contract on vsftpd, plain FTP.</summary>
[Collection(FileServersGroup.Name)]
public class FtpFileLocationTests : RemoteFileLocationContractTests
{
    protected virtual int ServerPort => TestServers.FtpPort;

    protected virtual string ServerConfig => TestServers.VsftpdConfig;

    internal virtual FtpConnectionSettings Settings(string root, int? port = null, string host = TestServers.Host) => new()
    {
        Host = host,
        Port = port ?? ServerPort,
        Username = TestServers.User,
        Password = TestServers.Password,
        RootFolder = root.Length == 0 ? "" : "upload/" + root,
        TimeoutSeconds = 10,
    };

    protected override IFileLocation Open(string root, RetryPolicy? retry = null) =>
        new FtpFileLocation(Settings(root), retry);

    protected override IFileLocation OpenAt(string host, int port, string root, RetryPolicy? retry = null, int timeoutSeconds = 10)
    {
        var settings = Settings(root, port, host);
        settings.TimeoutSeconds = timeoutSeconds;
        return new FtpFileLocation(settings, retry);
    }

    protected override IFileLocation OpenWithWrongPassword(RetryPolicy? retry = null)
    {
        var settings = Settings(RootName);
        settings.Password = "wrong-Pa55";
        return new FtpFileLocation(settings, retry);
    }

    protected override PrivateServer PrivateServerAt(int port) => PrivateServer.Vsftpd(ServerConfig, port);

    protected override ConnectionDefinition ConnectionFor(string root) => Define("ftp", Settings(root));

    protected override Task CreateRootAsync(string root) => ServerDisk.CreateFolderAsync(root);

    protected override Task RemoveRootAsync(string root) => ServerDisk.RemoveFolderAsync(root);

    [Fact]
    public async Task TestConnection_FailsWithPermissionDenied_WhenTheAccountMayNotWriteInTheRootFolder()
    {
        var settings = Settings("");
        settings.RootFolder = "readonly";

        var ex = await Assert.ThrowsAsync<ConnectionException>(() => ConnectionCatalog.Default.TestAsync(Define("ftp", settings), CancellationToken.None));

        Assert.Equal(ConnectionFailure.PermissionDenied, ex.Failure);
        Assert.Contains("signed in and listed the root folder, but the account may not write files there.", ex.Message, StringComparison.Ordinal);
        Assert.Equal(["locked.txt"], Directory.GetFiles(Path.Combine(TestServers.Home, "readonly")).Select(Path.GetFileName));
    }

    [Fact]
    public async Task Move_FailsWithPermissionDenied_OutOfReadOnlyFolder()
    {
        await using var home = new FtpFileLocation(Settings(""));

        var ex = await Assert.ThrowsAsync<ConnectionException>(() => home.MoveAsync("readonly/locked.txt", $"upload/{RootName}/locked.txt", CancellationToken.None));

        Assert.Equal(ConnectionFailure.PermissionDenied, ex.Failure);
        Assert.NotNull(await home.StatAsync("readonly/locked.txt", CancellationToken.None));
    }

    [Fact]
    public async Task List_ResolvesAbsoluteRootFolder()
    {
        await WriteTextAsync("in/a.csv", "a");
        var settings = Settings("");
        // vsftpd confines the account to its home: "/" is the home folder.
        settings.RootFolder = $"/upload/{RootName}";
        await using var absolute = new FtpFileLocation(settings);

        Assert.Equal(["in/a.csv"], await ListPathsAsync(location: absolute));
    }
}

/// <summary>The contract on vsftpd with explicit TLS and a self-signed certificate, plus certificate pinning.</summary>
[Collection(FileServersGroup.Name)]
public sealed class FtpsFileLocationTests : FtpFileLocationTests
{
    protected override int ServerPort => TestServers.FtpsPort;

    protected override string ServerConfig => TestServers.VsftpdFtpsConfig;

    internal override FtpConnectionSettings Settings(string root, int? port = null, string host = TestServers.Host)
    {
        var settings = base.Settings(root, port, host);
        settings.Tls = FtpTls.Explicit;
        settings.AcceptCertificateThumbprint = TestServers.FtpsThumbprint;
        return settings;
    }

    [Fact]
    public async Task Test_FailsWithServerIdentityRejected_WhenCertificateIsSelfSignedAndNotPinned()
    {
        var settings = Settings(RootName);
        settings.AcceptCertificateThumbprint = "";
        await using var location = new FtpFileLocation(settings);

        var ex = await Assert.ThrowsAsync<ConnectionException>(() => location.TestAsync(CancellationToken.None));

        Assert.Equal(ConnectionFailure.ServerIdentityRejected, ex.Failure);
        Assert.Contains(TestServers.FtpsThumbprint, ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Test_FailsWithServerIdentityRejected_WhenPinnedThumbprintDiffers()
    {
        var settings = Settings(RootName);
        settings.AcceptCertificateThumbprint = new string('0', 64);
        await using var location = new FtpFileLocation(settings);

        var ex = await Assert.ThrowsAsync<ConnectionException>(() => location.TestAsync(CancellationToken.None));

        Assert.Equal(ConnectionFailure.ServerIdentityRejected, ex.Failure);
        Assert.Contains(new string('0', 64), ex.Message, StringComparison.Ordinal);
        Assert.Contains(TestServers.FtpsThumbprint, ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Test_Succeeds_WithPinnedSha1Thumbprint_InColonNotation()
    {
        var certificate = System.Security.Cryptography.X509Certificates.X509CertificateLoader.LoadCertificateFromFile(
            Path.Combine(Path.GetDirectoryName(TestServers.VsftpdFtpsConfig)!, "ftps.pem"));
        var sha1 = string.Join(':', certificate.GetCertHashString().Chunk(2).Select(c => new string(c).ToLowerInvariant()));
        var settings = Settings(RootName);
        settings.AcceptCertificateThumbprint = sha1;
        await using var location = new FtpFileLocation(settings);

        await location.TestAsync(CancellationToken.None);

        Assert.EndsWith("(explicit TLS)", location.Display, StringComparison.Ordinal);
    }
}
