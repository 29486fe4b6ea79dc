namespace ConnectPlus.Tests.Connectors;

/// <summary>
/// The loopback file servers that test.sh (through scripts/test-servers.sh) starts, as its CONNECTPLUS_TEST_*
/// variables describe them. A missing variable fails the test: these tests never skip.
/// </summary>
internal static class TestServers
{
    public const string Host = "127.0.0.1";

    public static string User => Require("CONNECTPLUS_TEST_USER");
    public static string Password => Require("CONNECTPLUS_TEST_PASSWORD");

    /// <summary>The test account's home on this machine (SFTP and FTP serve it).</summary>
    public static string Home => Require("CONNECTPLUS_TEST_HOME");

    /// <summary>Where each test makes its own folder (writable by the test account).</summary>
    public static string UploadFolder => Path.Combine(Home, "upload");

    public static int SftpPort => Port("CONNECTPLUS_TEST_SFTP_PORT");
    public static string SftpHostFingerprint => Require("CONNECTPLUS_TEST_SFTP_HOST_FINGERPRINT");
    public static string SftpKey => File.ReadAllText(Require("CONNECTPLUS_TEST_SFTP_KEY"));
    public static string SftpEncryptedKey => File.ReadAllText(Require("CONNECTPLUS_TEST_SFTP_ENCRYPTED_KEY"));
    public static string SftpKeyPassphrase => Require("CONNECTPLUS_TEST_SFTP_KEY_PASSPHRASE");
    public static string SshdConfig => Require("CONNECTPLUS_TEST_SSHD_CONFIG");

    public static int FtpPort => Port("CONNECTPLUS_TEST_FTP_PORT");
    public static int FtpsPort => Port("CONNECTPLUS_TEST_FTPS_PORT");
    public static string FtpsThumbprint => Require("CONNECTPLUS_TEST_FTPS_THUMBPRINT");
    public static string VsftpdConfig => Require("CONNECTPLUS_TEST_VSFTPD_CONFIG");
    public static string VsftpdFtpsConfig => Require("CONNECTPLUS_TEST_VSFTPD_FTPS_CONFIG");

    public static string S3Url => Require("CONNECTPLUS_TEST_S3_URL");
    public static string S3Bucket => Require("CONNECTPLUS_TEST_S3_BUCKET");
    public static string S3AccessKey => Require("CONNECTPLUS_TEST_S3_ACCESS_KEY");
    public static string S3SecretKey => Require("CONNECTPLUS_TEST_S3_SECRET_KEY");
    public static string S3rverScript => Require("CONNECTPLUS_TEST_S3RVER");

    private static int Port(string name) => int.Parse(Require(name), System.Globalization.CultureInfo.InvariantCulture);

    private static string Require(string name) =>
        Environment.GetEnvironmentVariable(name) is { Length: > 0 } value
            ? value
            : throw new InvalidOperationException(
                $"{name} is not set: the connector tests need the loopback file servers. Run ./test.sh, or " +
                "'scripts/test-servers.sh start' and 'source artifacts/servers/env.sh' before dotnet test.");
}
