using System.Reflection;
using System.Text;
using System.Text.RegularExpressions;
using System.Xml;
using System.Xml.Linq;

namespace ConnectPlus.Engine.Catalog;

/// <summary>Reads <c>///</c> summaries from the XML documentation file the compiler writes beside an assembly.</summary>
internal sealed partial class XmlDocumentation
{
    private readonly Dictionary<string, string> _summaries;

    private XmlDocumentation(Dictionary<string, string> summaries) => _summaries = summaries;

    public static XmlDocumentation For(Assembly assembly)
    {
        var summaries = new Dictionary<string, string>(StringComparer.Ordinal);
        var path = string.IsNullOrEmpty(assembly.Location) ? null : Path.ChangeExtension(assembly.Location, ".xml");
        if (path is null || !File.Exists(path)) return new XmlDocumentation(summaries);
        var doc = XDocument.Load(path);
        foreach (var member in doc.Descendants("member"))
        {
            var name = member.Attribute("name")?.Value;
            var summary = member.Element("summary");
            if (name is null || summary is null) continue;
            summaries[name] = Flatten(summary);
        }
        return new XmlDocumentation(summaries);
    }

    public string Type(Type type) => _summaries.GetValueOrDefault("T:" + type.FullName, "");

    public string Property(PropertyInfo property)
    {
        // Positional records document parameters; properties declared normally document themselves.
        for (var t = property.DeclaringType; t is not null; t = t.BaseType)
        {
            if (_summaries.TryGetValue($"P:{t.FullName}.{property.Name}", out var text)) return text;
        }
        return "";
    }

    private static string Flatten(XElement element)
    {
        var sb = new StringBuilder();
        foreach (var node in element.Nodes())
        {
            switch (node)
            {
                case XText text: sb.Append(text.Value); break;
                case XElement { Name.LocalName: "see" or "seealso" } see:
                    var cref = see.Attribute("cref")?.Value ?? see.Attribute("langword")?.Value ?? see.Value;
                    sb.Append(cref[(cref.LastIndexOf('.') + 1)..]);
                    break;
                case XElement { Name.LocalName: "paramref" or "typeparamref" } reference:
                    sb.Append(reference.Attribute("name")?.Value);
                    break;
                case XElement { Name.LocalName: "para" or "br" } para:
                    sb.Append('\n').Append(Flatten(para)).Append('\n');
                    break;
                case XElement other: sb.Append(Flatten(other)); break;
            }
        }
        return Whitespace().Replace(sb.ToString(), " ").Trim();
    }

    [GeneratedRegex(@"[ \t\r\n]+")]
    private static partial Regex Whitespace();
}
