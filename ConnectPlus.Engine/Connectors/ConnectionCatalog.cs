using System.ComponentModel.DataAnnotations;
using System.Reflection;
using System.Text.Json;
using ConnectPlus.Engine.Catalog;
using ConnectPlus.Engine.Model;

namespace ConnectPlus.Engine.Connectors;

/// <summary>Marks a settings class as a connection type. The class's <c>///</c> summary is its description.</summary>
[AttributeUsage(AttributeTargets.Class, Inherited = false)]
public sealed class ConnectionTypeAttribute(string type, string name) : Attribute
{
    /// <summary>Stable type key, e.g. <c>sftp</c>.</summary>
    public string Type { get; } = type;

    /// <summary>Display name, e.g. "SFTP server".</summary>
    public string Name { get; } = name;

    /// <summary>Material icon name.</summary>
    public string Icon { get; init; } = "cable";
}

/// <summary>A connection type's settings that open a file location (local folder, SFTP, FTP, S3).</summary>
public interface IFileConnectionSettings
{
    /// <summary>
    /// Opens the location described by these settings (no network traffic until first use). A remote location
    /// tells <paramref name="onRetry"/> about each retry of a transient fault (a local folder has none).
    /// </summary>
    IFileLocation Open(string connectionName, Action<RetryNotice>? onRetry);
}

/// <summary>A connection type's settings that can be tested on their own (APIs: sign in and check the answer).</summary>
public interface ITestableConnectionSettings
{
    /// <summary>Checks the connection works; throws <see cref="ConnectionException"/> with the reason when not.</summary>
    Task TestAsync(string connectionName, CancellationToken cancellationToken);
}

/// <summary>Everything known about a connection type, described once from its settings class.</summary>
public sealed record ConnectionTypeDescriptor
{
    public required string Type { get; init; }
    public required string Name { get; init; }
    public required string Icon { get; init; }
    public required string Description { get; init; }
    public required IReadOnlyList<SettingDescriptor> Settings { get; init; }

    /// <summary>The settings class.</summary>
    [System.Text.Json.Serialization.JsonIgnore]
    public Type SettingsType { get; init; } = null!;
}

/// <summary>The connection types, built from <see cref="ConnectionTypeAttribute"/> classes.</summary>
public sealed class ConnectionCatalog
{
    private readonly Dictionary<string, ConnectionTypeDescriptor> _byType;

    public ConnectionCatalog(IEnumerable<Assembly> assemblies)
    {
        ArgumentNullException.ThrowIfNull(assemblies);
        var types = new List<ConnectionTypeDescriptor>();
        foreach (var assembly in assemblies.Distinct())
        {
            var docs = XmlDocumentation.For(assembly);
            foreach (var type in assembly.GetTypes())
            {
                if (type.GetCustomAttribute<ConnectionTypeAttribute>() is not { } attribute) continue;
                types.Add(new ConnectionTypeDescriptor
                {
                    Type = attribute.Type,
                    Name = attribute.Name,
                    Icon = attribute.Icon,
                    Description = docs.Type(type),
                    Settings = BlockCatalog.DescribeSettings(type, docs),
                    SettingsType = type,
                });
            }
        }
        Types = [.. types.OrderBy(t => t.Name, StringComparer.Ordinal)];
        _byType = Types.ToDictionary(t => t.Type, StringComparer.Ordinal);
    }

    /// <summary>The engine's own connection types.</summary>
    public static ConnectionCatalog Default { get; } = new([typeof(ConnectionCatalog).Assembly]);

    /// <summary>All connection types by name.</summary>
    public IReadOnlyList<ConnectionTypeDescriptor> Types { get; }

    /// <summary>Finds a connection type, or null.</summary>
    public ConnectionTypeDescriptor? Find(string type) => _byType.GetValueOrDefault(type);

    /// <summary>The catalog as JSON (for the connection editor and the snapshot test).</summary>
    public string ToJson() => JsonSerializer.Serialize(Types, DataflowJson.Options);

    /// <summary>
    /// Binds and validates a connection's settings; throws <see cref="ConnectionException"/>
    /// (<see cref="ConnectionFailure.InvalidSettings"/>) naming the connection and every problem.
    /// </summary>
    public object Bind(ConnectionDefinition connection)
    {
        ArgumentNullException.ThrowIfNull(connection);
        var type = Find(connection.Type)
            ?? throw new ConnectionException(ConnectionFailure.InvalidSettings,
                $"Connection '{connection.Name}' has unknown type '{connection.Type}'. Types: {string.Join(", ", _byType.Keys.Order())}.");
        object settings;
        try
        {
            settings = SettingsBinder.Bind(type.SettingsType, type.Settings, $"{type.Name} connections", connection.Settings);
        }
        catch (SettingsBindingException ex)
        {
            throw new ConnectionException(ConnectionFailure.InvalidSettings, $"Connection '{connection.Name}', setting '{ex.Setting}': {ex.Message}", ex)
            {
                Settings = ex.Setting is null ? [] : [ex.Setting],
            };
        }
        var results = new List<ValidationResult>();
        if (!Validator.TryValidateObject(settings, new ValidationContext(settings), results, validateAllProperties: true))
        {
            static string JsonName(string member) => DataflowJson.Options.PropertyNamingPolicy!.ConvertName(member);
            var problems = string.Join("; ", results.Select(r => $"{string.Join(", ", r.MemberNames.Select(JsonName))}: {r.ErrorMessage}"));
            // The messages end with a full stop; a sentence has one.
            var end = problems.EndsWith('.') ? "" : ".";
            throw new ConnectionException(ConnectionFailure.InvalidSettings, $"Connection '{connection.Name}' is not complete: {problems}{end}")
            {
                Settings = [.. results.SelectMany(r => r.MemberNames).Select(JsonName).Distinct(StringComparer.Ordinal)],
            };
        }
        return settings;
    }

    /// <summary>
    /// "Test connection": for a file connection, opens it, lists its root folder, and writes, moves and deletes a
    /// hidden probe file there (so an account that may not write or rename is told now, not at the end of a run);
    /// for an API connection, signs in. Throws <see cref="ConnectionException"/> with the reason when it fails.
    /// </summary>
    public async Task TestAsync(ConnectionDefinition connection, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(connection);
        switch (Bind(connection))
        {
            case ITestableConnectionSettings testable:
                await testable.TestAsync(connection.Name, cancellationToken).ConfigureAwait(false);
                break;
            case IFileConnectionSettings files:
                var location = files.Open(connection.Name, onRetry: null);
                await using (location.ConfigureAwait(false))
                {
                    await location.TestAsync(cancellationToken).ConfigureAwait(false);
                    await FileLocationProbe.CheckWriteMoveDeleteAsync(location, cancellationToken).ConfigureAwait(false);
                }
                break;
            default:
                throw new ConnectionException(ConnectionFailure.InvalidSettings, $"Connection '{connection.Name}' ({connection.Type}) cannot be tested.");
        }
    }

    /// <summary>Opens a file location for a connection of a file type (local, SFTP, FTP, S3); <paramref name="onRetry"/> hears of each retry.</summary>
    public IFileLocation OpenFileLocation(ConnectionDefinition connection, Action<RetryNotice>? onRetry = null)
    {
        ArgumentNullException.ThrowIfNull(connection);
        return Bind(connection) is IFileConnectionSettings files
            ? files.Open(connection.Name, onRetry)
            : throw new ConnectionException(ConnectionFailure.InvalidSettings,
                $"Connection '{connection.Name}' is a {connection.Type} connection, which does not hold files.");
    }
}
