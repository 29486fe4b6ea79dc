using System.ComponentModel.DataAnnotations;
using System.Reflection;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using System.Text.RegularExpressions;
using ConnectPlus.Engine.Model;
using ConnectPlus.Engine.Runtime;

namespace ConnectPlus.Engine.Catalog;

/// <summary>The set of block types, each described once from its attributes and <c>///</c> comments.</summary>
public sealed partial class BlockCatalog
{
    private readonly Dictionary<string, BlockDescriptor> _byType;

    /// <summary>Builds a catalog from the blocks found in the given assemblies.</summary>
    public BlockCatalog(IEnumerable<Assembly> assemblies)
    {
        ArgumentNullException.ThrowIfNull(assemblies);
        var blocks = new List<BlockDescriptor>();
        foreach (var assembly in assemblies.Distinct())
        {
            var docs = XmlDocumentation.For(assembly);
            foreach (var type in assembly.GetTypes())
            {
                var attribute = type.GetCustomAttribute<BlockAttribute>();
                if (attribute is not null) blocks.Add(Describe(type, attribute, docs));
            }
        }
        Blocks = [.. blocks.OrderBy(b => b.Category).ThenBy(b => b.Name, StringComparer.Ordinal)];
        _byType = new Dictionary<string, BlockDescriptor>(StringComparer.Ordinal);
        foreach (var block in Blocks)
        {
            if (!_byType.TryAdd(block.Type, block))
                throw new InvalidOperationException($"Two blocks declare the type key '{block.Type}'.");
        }
    }

    /// <summary>The catalog of the engine's own blocks (built once).</summary>
    public static BlockCatalog Default { get; } = new([typeof(BlockCatalog).Assembly]);

    /// <summary>All blocks, by palette category then name.</summary>
    public IReadOnlyList<BlockDescriptor> Blocks { get; }

    /// <summary>The whole catalog as JSON (what the palette and the property panel are drawn from).</summary>
    public string ToJson() => JsonSerializer.Serialize(Blocks, DataflowJson.Options);

    /// <summary>Finds a block type, or null.</summary>
    public BlockDescriptor? Find(string type) => _byType.GetValueOrDefault(type);

    private static BlockDescriptor Describe(Type type, BlockAttribute attribute, XmlDocumentation docs)
    {
        var settingsType = SettingsTypeOf(type)
            ?? throw new InvalidOperationException($"Block class {type.Name} must derive from Block<TSettings>.");
        return new BlockDescriptor
        {
            Type = attribute.Type,
            Version = attribute.Version,
            Name = attribute.Name,
            Category = attribute.Category,
            Icon = attribute.Icon,
            Description = docs.Type(type),
            Inputs = [.. type.GetCustomAttributes<InputAttribute>().Select(p =>
                new PortDescriptor(p.Name, p.Kind, p.DisplayName ?? Words(p.Name), p.Description, p.Required, false))],
            Outputs = [.. type.GetCustomAttributes<OutputAttribute>().Select(p =>
                new PortDescriptor(p.Name, p.Kind, p.DisplayName ?? Words(p.Name), p.Description, false, p.Rejected))],
            Settings = DescribeSettings(settingsType, docs),
            BlockType = type,
            SettingsType = settingsType,
        };
    }

    private static Type? SettingsTypeOf(Type type)
    {
        for (var t = type; t is not null; t = t.BaseType)
        {
            if (t.IsGenericType && t.GetGenericTypeDefinition() == typeof(Block<>)) return t.GetGenericArguments()[0];
        }
        return null;
    }

    /// <summary>Describes the settings of a settings class (blocks and connection types share this).</summary>
    internal static List<SettingDescriptor> DescribeSettings(Type settingsType, XmlDocumentation docs)
    {
        var defaults = JsonSerializer.SerializeToNode(Activator.CreateInstance(settingsType), settingsType, DataflowJson.Options) as JsonObject;
        var result = new List<SettingDescriptor>();
        foreach (var property in settingsType.GetProperties(BindingFlags.Public | BindingFlags.Instance))
        {
            if (property.GetCustomAttribute<JsonIgnoreAttribute>() is not null) continue;
            var setting = property.GetCustomAttribute<SettingAttribute>() ?? new SettingAttribute();
            var name = DataflowJson.Options.PropertyNamingPolicy!.ConvertName(property.Name);
            var range = property.GetCustomAttribute<RangeAttribute>();
            var valueType = Nullable.GetUnderlyingType(property.PropertyType) ?? property.PropertyType;
            result.Add(new SettingDescriptor
            {
                Name = name,
                DisplayName = setting.DisplayName ?? Words(property.Name),
                HelpText = docs.Property(property),
                Editor = (int)setting.Editor >= 0 ? setting.Editor : DefaultEditor(valueType, setting.Secret),
                ValueType = TypeName(valueType),
                Order = setting.Order,
                Group = setting.Group,
                Required = property.GetCustomAttribute<RequiredAttribute>() is not null,
                Secret = setting.Secret,
                Options = setting.Options ?? (EnumOf(valueType) is { } enumType ? EnumNames(enumType) : null),
                Placeholder = setting.Placeholder,
                Default = defaults?[name]?.DeepClone(),
                Minimum = range is null ? null : Convert.ToDouble(range.Minimum, System.Globalization.CultureInfo.InvariantCulture),
                Maximum = range is null ? null : Convert.ToDouble(range.Maximum, System.Globalization.CultureInfo.InvariantCulture),
                Pattern = property.GetCustomAttribute<RegularExpressionAttribute>()?.Pattern,
                ConnectionTypes = setting.ConnectionTypes,
            });
        }
        return [.. result.OrderBy(s => s.Order).ThenBy(s => s.Name, StringComparer.Ordinal)];
    }

    /// <summary>The enum of a setting, or of its list elements (a list of join types offers the join types).</summary>
    private static Type? EnumOf(Type type)
    {
        if (type.IsEnum) return type;
        var element = type.IsGenericType && type.GetGenericTypeDefinition() == typeof(List<>) ? type.GetGenericArguments()[0] : null;
        return element is { IsEnum: true } ? element : null;
    }

    private static string[] EnumNames(Type enumType) =>
        [.. Enum.GetNames(enumType).Select(n => DataflowJson.Options.PropertyNamingPolicy!.ConvertName(n))];

    private static EditorHint DefaultEditor(Type type, bool secret) => type switch
    {
        _ when secret => EditorHint.Password,
        _ when type == typeof(bool) => EditorHint.Checkbox,
        _ when type.IsEnum => EditorHint.Select,
        _ when type == typeof(int) || type == typeof(long) || type == typeof(double) || type == typeof(decimal) => EditorHint.Number,
        _ when type == typeof(string) => EditorHint.Text,
        _ when type.IsAssignableTo(typeof(System.Collections.IEnumerable)) => EditorHint.Table,
        _ => EditorHint.Json,
    };

    private static string TypeName(Type type) => type switch
    {
        _ when type == typeof(string) => "string",
        _ when type == typeof(bool) => "boolean",
        _ when type == typeof(int) || type == typeof(long) => "integer",
        _ when type == typeof(double) || type == typeof(decimal) => "number",
        _ when type.IsEnum => "enum",
        _ when type.IsGenericType && type.GetGenericTypeDefinition() == typeof(List<>) => $"list<{TypeName(type.GetGenericArguments()[0])}>",
        _ => type.Name,
    };

    /// <summary>"fileNamePattern" → "File name pattern".</summary>
    internal static string Words(string identifier)
    {
        var spaced = CamelBoundary().Replace(identifier, " ").Trim();
        return spaced.Length == 0 ? spaced : char.ToUpperInvariant(spaced[0]) + spaced[1..].ToLowerInvariant();
    }

    [GeneratedRegex("(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])")]
    private static partial Regex CamelBoundary();
}
