using System.ComponentModel.DataAnnotations;
using ConnectPlus.Engine.Catalog;
using ConnectPlus.Engine.Connectors;

namespace ConnectPlus.Tests.Data;

/// <summary>A connection type with secrets, for the connection store's tests (the engine's own types may have none).</summary>
[ConnectionType("test-api", "Test API")]
public sealed class TestApiConnectionSettings
{
    /// <summary>Base URL.</summary>
    [Required(ErrorMessage = "Give the URL.")]
    [Setting(Order = 1)]
    public string Url { get; set; } = "";

    /// <summary>User name.</summary>
    [Setting(Order = 2)]
    public string User { get; set; } = "";

    /// <summary>Password.</summary>
    [Required(ErrorMessage = "Give the password.")]
    [Setting(Order = 3, Secret = true)]
    public string Password { get; set; } = "";

    /// <summary>Optional API key.</summary>
    [Setting(Order = 4, Secret = true)]
    public string? ApiKey { get; set; }

    /// <summary>The catalog of the engine's connection types plus this one.</summary>
    public static ConnectionCatalog Catalog { get; } = new([typeof(ConnectionCatalog).Assembly, typeof(TestApiConnectionSettings).Assembly]);
}
