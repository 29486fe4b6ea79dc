using System.Text.Json.Nodes;
using ConnectPlus.Engine.Catalog;
using ConnectPlus.Engine.Connectors;

namespace ConnectPlus.Tests.Connectors;

public sealed class ConnectionCatalogTests
{
    private static readonly ConnectionCatalog Catalog = ConnectionCatalog.Default;

    /// <summary>One line per connection type: its settings in panel order, required (*), secret, default.</summary>
    private static string Describe(ConnectionTypeDescriptor type) =>
        $"{type.Type} \"{type.Name}\": " + string.Join(", ", type.Settings.Select(s =>
            $"{s.Name}{(s.Required ? "*" : "")}{(s.Secret ? " [secret]" : "")}{(s.Default is JsonValue v && v.ToJsonString() is not ("\"\"" or "false") ? " = " + v.ToJsonString() : "")}"));

    [Fact]
    public void Catalog_DescribesEveryFileConnectionType_WithSettingsInOrder_AndSecretsFlagged()
    {
        var fileTypes = Catalog.Types.Where(t => t.SettingsType.IsAssignableTo(typeof(IFileConnectionSettings)));
        var described = string.Join("\n", fileTypes.Select(Describe));

        Assert.Equal("""
            ftp "FTP / FTPS server": host*, port = 21, rootFolder, tls = "none", acceptCertificateThumbprint, username*, password [secret], passive = true, timeoutSeconds = 60, retryAttempts = 3, retryDelaySeconds = 1
            local "Local folder": folder*
            s3 "S3 bucket": bucket*, region* = "us-east-1", prefix, accessKeyId*, secretAccessKey* [secret], serviceUrl, forcePathStyle, timeoutSeconds = 60, retryAttempts = 3, retryDelaySeconds = 1
            sftp "SFTP server": host*, port = 22, rootFolder, hostKeyFingerprint, username*, password [secret], privateKey [secret], passphrase [secret], connectTimeoutSeconds = 30, operationTimeoutSeconds = 120, retryAttempts = 3, retryDelaySeconds = 1
            """.ReplaceLineEndings("\n"), described);
    }

    [Fact]
    public void Catalog_GivesEveryTypeAndSettingHelpText_AndHidesSecretsInEditors()
    {
        foreach (var type in Catalog.Types)
        {
            Assert.False(string.IsNullOrWhiteSpace(type.Description), $"{type.Type} has no /// summary");
            foreach (var setting in type.Settings)
            {
                Assert.False(string.IsNullOrWhiteSpace(setting.HelpText), $"{type.Type}.{setting.Name} has no /// summary");
                if (setting.Secret) Assert.Contains(setting.Editor, new[] { EditorHint.Password, EditorHint.MultilineText });
            }
        }
    }

    [Theory]
    [InlineData("sftp", """{"host":"h","username":"u"}""", "password, privateKey: Give a password or a private key.")]
    [InlineData("sftp", """{"host":"h","username":"u","password":"p","passphrase":"x"}""", "passphrase: A passphrase goes with a private key")]
    [InlineData("sftp", """{"host":"h","username":"u","password":"p","hostKeyFingerprint":"MD5:aa"}""", "hostKeyFingerprint: Give the SHA256 fingerprint")]
    [InlineData("ftp", """{"host":"h","username":"u","acceptCertificateThumbprint":"A927973A65698C130BBAF3AED69C4A787931078FDBD4DA50FFB5CDB032FDB0BE"}""", "acceptCertificateThumbprint: A certificate thumbprint needs TLS")]
    [InlineData("ftp", """{"host":"h","username":"u","port":0}""", "port: Give a port between 1 and 65535.")]
    [InlineData("s3", """{"bucket":"Bad_Bucket","accessKeyId":"a","secretAccessKey":"s"}""", "bucket: Give a bucket name as S3 spells them")]
    [InlineData("s3", """{"bucket":"b-1","accessKeyId":"a","secretAccessKey":"s","serviceUrl":"minio:9000"}""", "serviceUrl: Give the server's address as a URL")]
    [InlineData("s3", """{"bucket":"b-1","accessKeyId":"a","secretAccessKey":"s","retryAttempts":0}""", "retryAttempts: Give between 1 and 10 attempts.")]
    public void Bind_RefusesIncompleteSettings_NamingTheSettingAndWhatToDo(string type, string settings, string expected)
    {
        var connection = new ConnectionDefinition { Name = "brand", Type = type, Settings = JsonNode.Parse(settings)!.AsObject() };

        var ex = Assert.Throws<ConnectionException>(() => Catalog.Bind(connection));

        Assert.Equal(ConnectionFailure.InvalidSettings, ex.Failure);
        Assert.Contains(expected, ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("sftp", """{"host":"sftp.brand.com","username":"u","password":"p"}""", "sftp://u@sftp.brand.com:22/~")]
    [InlineData("ftp", """{"host":"ftp.brand.com","username":"u","password":"p","tls":"explicit","rootFolder":"/out"}""", "ftp://u@ftp.brand.com:21/out (explicit TLS)")]
    [InlineData("s3", """{"bucket":"brand-exports","region":"ap-south-1","prefix":"in","accessKeyId":"a","secretAccessKey":"s"}""", "s3://brand-exports/in (ap-south-1)")]
    public async Task OpenFileLocation_OpensEachType_FromItsSettings_WithoutSecretsInDisplay(string type, string settings, string display)
    {
        var connection = new ConnectionDefinition { Name = "brand", Type = type, Settings = JsonNode.Parse(settings)!.AsObject() };

        await using var location = Catalog.OpenFileLocation(connection);

        Assert.Equal(display, location.Display);
    }
}
