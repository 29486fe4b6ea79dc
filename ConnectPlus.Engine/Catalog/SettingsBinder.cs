using System.Text.Json;
using System.Text.Json.Nodes;
using ConnectPlus.Engine.Model;

namespace ConnectPlus.Engine.Catalog;

/// <summary>Turns a node's settings JSON into the block's settings record.</summary>
public static class SettingsBinder
{
    /// <summary>Binds settings; unknown properties are refused so typos do not pass silently.</summary>
    /// <exception cref="SettingsBindingException">A value has the wrong type or a property is unknown.</exception>
    public static object Bind(BlockDescriptor descriptor, JsonObject? settings)
    {
        ArgumentNullException.ThrowIfNull(descriptor);
        return Bind(descriptor.SettingsType, descriptor.Settings, descriptor.Name, settings);
    }

    /// <summary>Binds settings of any described settings type (blocks, connection types).</summary>
    public static object Bind(Type settingsType, IReadOnlyList<SettingDescriptor> described, string ownerName, JsonObject? settings)
    {
        ArgumentNullException.ThrowIfNull(settingsType);
        ArgumentNullException.ThrowIfNull(described);
        settings ??= [];
        SettingDescriptor? Find(string name) => described.FirstOrDefault(s => string.Equals(s.Name, name, StringComparison.OrdinalIgnoreCase));
        foreach (var (name, _) in settings)
        {
            if (Find(name) is null)
                throw new SettingsBindingException(name, $"'{name}' is not a setting of {ownerName}. Known settings: {string.Join(", ", described.Select(s => s.Name))}.");
        }
        try
        {
            return settings.Deserialize(settingsType, DataflowJson.Options) ?? Activator.CreateInstance(settingsType)!;
        }
        catch (JsonException ex)
        {
            var setting = SettingFromPath(ex.Path);
            var expected = Find(setting ?? "");
            var hint = expected is null ? "" : expected.Options is { Count: > 0 }
                ? $" Expected one of: {string.Join(", ", expected.Options)}."
                : $" Expected a {expected.ValueType}.";
            throw new SettingsBindingException(setting, $"The value is not valid.{hint}", ex);
        }
    }

    private static string? SettingFromPath(string? path)
    {
        if (string.IsNullOrEmpty(path) || !path.StartsWith("$.", StringComparison.Ordinal)) return null;
        var rest = path[2..];
        var end = rest.IndexOfAny(['.', '[']);
        return end < 0 ? rest : rest[..end];
    }
}

/// <summary>A setting's JSON value cannot be bound to its type.</summary>
public sealed class SettingsBindingException : Exception
{
    public SettingsBindingException() { }
    public SettingsBindingException(string message) : base(message) { }
    public SettingsBindingException(string message, Exception inner) : base(message, inner) { }
    public SettingsBindingException(string? setting, string message, Exception? inner = null) : base(message, inner) => Setting = setting;

    /// <summary>The setting at fault, when known.</summary>
    public string? Setting { get; }
}
