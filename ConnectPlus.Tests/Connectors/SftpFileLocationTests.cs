using ConnectPlus.Engine.Connectors;
using ConnectPlus.Engine.Connectors.Sftp;

namespace ConnectPlus.Tests.Connectors;

/// <summary>The contract on OpenSSH's sshd (internal-sftp), plus host key pinning and key sign-in.</summary>
[Collection(FileServersGroup.Name)]
public sealed class SftpFileLocationTests : RemoteFileLocationContractTests
{
    internal static SftpConnectionSettings Settings(string root, int? port = null, string host = TestServers.Host, int timeoutSeconds = 10) => new()
    {
        Host = host,
        Port = port ?? TestServers.SftpPort,
        Username = TestServers.User,
        Password = TestServers.Password,
        RootFolder = root.Length == 0 ? "" : "upload/" + root,
        ConnectTimeoutSeconds = timeoutSeconds,
        OperationTimeoutSeconds = timeoutSeconds,
    };

    protected override IFileLocation Open(string root, RetryPolicy? retry = null) =>
        new SftpFileLocation(Settings(root), retry);

    protected override IFileLocation OpenAt(string host, int port, string root, RetryPolicy? retry = null, int timeoutSeconds = 10) =>
        new SftpFileLocation(Settings(root, port, host, timeoutSeconds), retry);

    protected override IFileLocation OpenWithWrongPassword(RetryPolicy? retry = null)
    {
        var settings = Settings(RootName);
        settings.Password = "wrong-Pa55";
        return new SftpFileLocation(settings, retry);
    }

    protected override PrivateServer PrivateServerAt(int port) => PrivateServer.Sshd(port);

    protected override ConnectionDefinition ConnectionFor(string root) => Define("sftp", Settings(root));

    protected override Task CreateRootAsync(string root) => ServerDisk.CreateFolderAsync(root);

    protected override Task RemoveRootAsync(string root) => ServerDisk.RemoveFolderAsync(root);

    [Fact]
    public async Task Test_Succeeds_WhenHostKeyPinMatches()
    {
        var settings = Settings(RootName);
        settings.HostKeyFingerprint = TestServers.SftpHostFingerprint;
        await using var location = new SftpFileLocation(settings);

        await location.TestAsync(CancellationToken.None);

        Assert.Equal($"sftp://{TestServers.User}@{TestServers.Host}:{TestServers.SftpPort}/~/upload/{RootName}", location.Display);
    }

    [Fact]
    public async Task Test_FailsWithServerIdentityRejected_WhenHostKeyPinDiffers()
    {
        const string pinned = "SHA256:ohD8VZEXGWo6Ez8GSEJQ9WpafgLFsOfLOtGGQCQo6Og";
        var settings = Settings(RootName);
        settings.HostKeyFingerprint = pinned;
        await using var location = new SftpFileLocation(settings);

        var ex = await Assert.ThrowsAsync<ConnectionException>(() => location.TestAsync(CancellationToken.None));

        Assert.Equal(ConnectionFailure.ServerIdentityRejected, ex.Failure);
        Assert.False(ex.Transient);
        Assert.Contains(pinned, ex.Message, StringComparison.Ordinal);
        Assert.Contains(TestServers.SftpHostFingerprint, ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Test_SignsIn_WithPrivateKeyAlone()
    {
        var settings = Settings(RootName);
        settings.Password = "";
        settings.PrivateKey = TestServers.SftpKey;
        await using var location = new SftpFileLocation(settings);

        await location.TestAsync(CancellationToken.None);
        await WriteTextAsync("by-key.csv", "k", location: location);

        Assert.Equal(["by-key.csv"], await ListPathsAsync());
    }

    [Fact]
    public async Task Test_SignsIn_WithEncryptedPrivateKeyAndItsPassphrase()
    {
        var settings = Settings(RootName);
        settings.Password = "";
        settings.PrivateKey = TestServers.SftpEncryptedKey;
        settings.Passphrase = TestServers.SftpKeyPassphrase;
        await using var location = new SftpFileLocation(settings);

        await location.TestAsync(CancellationToken.None);
    }

    [Fact]
    public async Task Test_FailsWithAuthenticationFailed_WhenPassphraseIsWrong()
    {
        var settings = Settings(RootName);
        settings.Password = "";
        settings.PrivateKey = TestServers.SftpEncryptedKey;
        settings.Passphrase = "not-the-passphrase";
        await using var location = new SftpFileLocation(settings);

        var ex = await Assert.ThrowsAsync<ConnectionException>(() => location.TestAsync(CancellationToken.None));

        Assert.Equal(ConnectionFailure.AuthenticationFailed, ex.Failure);
        Assert.DoesNotContain("not-the-passphrase", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Test_FailsWithInvalidSettings_WhenEncryptedKeyHasNoPassphrase()
    {
        var settings = Settings(RootName);
        settings.Password = "";
        settings.PrivateKey = TestServers.SftpEncryptedKey;
        await using var location = new SftpFileLocation(settings);

        var ex = await Assert.ThrowsAsync<ConnectionException>(() => location.TestAsync(CancellationToken.None));

        Assert.Equal(ConnectionFailure.InvalidSettings, ex.Failure);
        Assert.Contains("passphrase", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Move_FailsWithPermissionDenied_OutOfReadOnlyFolder()
    {
        await using var home = new SftpFileLocation(Settings(""));

        var ex = await Assert.ThrowsAsync<ConnectionException>(() => home.MoveAsync("readonly/locked.txt", $"upload/{RootName}/locked.txt", CancellationToken.None));

        Assert.Equal(ConnectionFailure.PermissionDenied, ex.Failure);
        Assert.NotNull(await home.StatAsync("readonly/locked.txt", CancellationToken.None));
    }

    [Fact]
    public async Task Operations_ShareOneSession_WhenTheyRaceOnAFreshLocation()
    {
        await WriteTextAsync("a.csv", "a");
        await using var location = new SftpFileLocation(Settings(RootName));

        var found = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => Task.Run(() => location.StatAsync("a.csv", CancellationToken.None))));

        Assert.All(found, f => Assert.Equal(1, f?.Size));
        Assert.Equal(1, location.SessionsOpened);
    }

    [Fact]
    public async Task TestConnection_FailsWithPermissionDenied_WhenTheAccountMayNotWriteInTheRootFolder()
    {
        var settings = Settings("");
        settings.RootFolder = "readonly";

        var ex = await Assert.ThrowsAsync<ConnectionException>(() => ConnectionCatalog.Default.TestAsync(Define("sftp", settings), CancellationToken.None));

        Assert.Equal(ConnectionFailure.PermissionDenied, ex.Failure);
        Assert.StartsWith($"sftp://{TestServers.User}@{TestServers.Host}:{TestServers.SftpPort}/~/readonly: signed in and listed the root folder, but the account may not write files there.", ex.Message, StringComparison.Ordinal);
        Assert.Equal(["locked.txt"], Directory.GetFiles(Path.Combine(TestServers.Home, "readonly")).Select(Path.GetFileName));
    }
}
