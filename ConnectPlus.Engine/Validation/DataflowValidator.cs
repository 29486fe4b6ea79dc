using System.ComponentModel.DataAnnotations;
using System.Text.RegularExpressions;
using ConnectPlus.Engine.Catalog;
using ConnectPlus.Engine.Model;

namespace ConnectPlus.Engine.Validation;

/// <summary>Severity of a validation issue: errors block saving as published and running.</summary>
public enum IssueSeverity
{
    Error,
    Warning,
}

/// <summary>A problem found in a dataflow, located by node, port and setting where it applies.</summary>
public sealed record ValidationIssue(string? NodeId, string? Port, string? Setting, string Message, IssueSeverity Severity = IssueSeverity.Error)
{
    public override string ToString()
    {
        var where = NodeId is null ? "Dataflow" : $"Block '{NodeId}'";
        if (Port is not null) where += $", port '{Port}'";
        if (Setting is not null) where += $", setting '{Setting}'";
        return $"{where}: {Message}";
    }
}

/// <summary>
/// Checks a dataflow against the catalog: known blocks and versions, settings (DataAnnotations and
/// cross-field rules via <see cref="IValidatableObject"/>), links (ports exist, kinds match, one
/// link per input), required inputs connected, no cycles. Used on save, in the designer and before every run.
/// </summary>
public sealed partial class DataflowValidator(BlockCatalog catalog)
{
    /// <summary>Returns every issue found (empty when the dataflow can run).</summary>
    public IReadOnlyList<ValidationIssue> Validate(DataflowDefinition dataflow)
    {
        ArgumentNullException.ThrowIfNull(dataflow);
        var issues = new List<ValidationIssue>();
        if (dataflow.FormatVersion is < 1 or > DataflowDefinition.CurrentFormatVersion)
            issues.Add(new(null, null, null, $"Format version {dataflow.FormatVersion} is not supported (1 to {DataflowDefinition.CurrentFormatVersion})."));
        if (dataflow.Nodes.Count == 0)
            issues.Add(new(null, null, null, "The dataflow has no blocks."));

        var nodes = CheckNodes(dataflow, issues);
        var links = CheckEdges(dataflow, nodes, issues);
        CheckRequiredInputs(nodes, links, issues);
        CheckCycles(dataflow, links, issues);
        CheckOptions(dataflow.Options, issues);
        return issues;
    }

    private Dictionary<string, BlockDescriptor> CheckNodes(DataflowDefinition dataflow, List<ValidationIssue> issues)
    {
        var known = new Dictionary<string, BlockDescriptor>(StringComparer.Ordinal);
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var node in dataflow.Nodes)
        {
            if (string.IsNullOrWhiteSpace(node.Id) || !NodeId().IsMatch(node.Id))
            {
                issues.Add(new(node.Id, null, null, "The block id must be letters, digits, '-' or '_' (e.g. 'read-members')."));
                continue;
            }
            if (!seen.Add(node.Id))
            {
                issues.Add(new(node.Id, null, null, "Two blocks have this id; ids must be unique."));
                continue;
            }
            var descriptor = catalog.Find(node.Type);
            if (descriptor is null)
            {
                issues.Add(new(node.Id, null, null, $"Unknown block type '{node.Type}'."));
                continue;
            }
            if (node.Version != descriptor.Version)
            {
                issues.Add(new(node.Id, null, null, $"{descriptor.Name} version {node.Version} is not available; this Connect+ has version {descriptor.Version}."));
                continue;
            }
            known[node.Id] = descriptor;
            CheckSettings(node, descriptor, issues);
        }
        return known;
    }

    private static void CheckSettings(NodeDefinition node, BlockDescriptor descriptor, List<ValidationIssue> issues)
    {
        object settings;
        try
        {
            settings = SettingsBinder.Bind(descriptor, node.Settings);
        }
        catch (SettingsBindingException ex)
        {
            issues.Add(new(node.Id, null, ex.Setting, ex.Message));
            return;
        }
        var results = new List<ValidationResult>();
        Validator.TryValidateObject(settings, new ValidationContext(settings), results, validateAllProperties: true);
        foreach (var result in results)
        {
            var members = result.MemberNames.ToList();
            var setting = members.Count > 0 ? descriptor.FindSetting(members[0])?.Name ?? members[0] : null;
            issues.Add(new(node.Id, null, setting is null ? null : ToJsonName(setting), result.ErrorMessage ?? "Invalid value."));
        }
    }

    private static Dictionary<PortRef, List<PortRef>> CheckEdges(DataflowDefinition dataflow, Dictionary<string, BlockDescriptor> nodes, List<ValidationIssue> issues)
    {
        var incoming = new Dictionary<PortRef, List<PortRef>>();
        foreach (var edge in dataflow.Edges)
        {
            var from = edge.Source;
            var to = edge.Target;
            var fromExists = dataflow.FindNode(from.Node) is not null;
            var toExists = dataflow.FindNode(to.Node) is not null;
            if (!fromExists) issues.Add(new(null, null, null, $"Link {edge.From} → {edge.To} starts at a block that does not exist ('{from.Node}')."));
            if (!toExists) issues.Add(new(null, null, null, $"Link {edge.From} → {edge.To} ends at a block that does not exist ('{to.Node}')."));
            if (!fromExists || !toExists) continue;
            // A link from or to a block that is itself invalid still counts as a link, so one
            // mistake does not cascade into "input not connected" reports.
            if (nodes.TryGetValue(from.Node, out var fromBlock) && nodes.TryGetValue(to.Node, out var toBlock)
                && !LinkFits(edge, fromBlock, toBlock, issues)) continue;

            if (!incoming.TryGetValue(to, out var sources)) incoming[to] = sources = [];
            sources.Add(from);
            if (sources.Count == 2)
                issues.Add(new(to.Node, to.Port, null, $"Input '{to.Port}' takes one link but has several ({string.Join(", ", sources)}). Remove all but one."));
        }
        return incoming;
    }

    private static bool LinkFits(EdgeDefinition edge, BlockDescriptor fromBlock, BlockDescriptor toBlock, List<ValidationIssue> issues)
    {
        var (from, to) = (edge.Source, edge.Target);
        var output = fromBlock.FindOutput(from.Port);
        var input = toBlock.FindInput(to.Port);
        if (output is null)
        {
            issues.Add(new(from.Node, from.Port, null, $"{fromBlock.Name} has no output '{from.Port}'. Outputs: {Names(fromBlock.Outputs)}."));
            return false;
        }
        if (input is null)
        {
            issues.Add(new(to.Node, to.Port, null, $"{toBlock.Name} has no input '{to.Port}'. Inputs: {Names(toBlock.Inputs)}."));
            return false;
        }
        if (output.Kind != input.Kind)
        {
            issues.Add(new(to.Node, to.Port, null, $"Link from {edge.From} carries {output.Kind} but input '{to.Port}' takes {input.Kind}."));
            return false;
        }
        return true;
    }

    private static void CheckRequiredInputs(Dictionary<string, BlockDescriptor> nodes, Dictionary<PortRef, List<PortRef>> links, List<ValidationIssue> issues)
    {
        foreach (var (id, descriptor) in nodes)
        {
            foreach (var input in descriptor.Inputs.Where(i => i.Required))
            {
                if (!links.ContainsKey(new PortRef(id, input.Name)))
                    issues.Add(new(id, input.Name, null, $"Input '{input.DisplayName}' of {descriptor.Name} is not connected."));
            }
        }
    }

    private static void CheckCycles(DataflowDefinition dataflow, Dictionary<PortRef, List<PortRef>> links, List<ValidationIssue> issues)
    {
        var next = new Dictionary<string, List<string>>(StringComparer.Ordinal);
        foreach (var node in dataflow.Nodes) next.TryAdd(node.Id, []);
        foreach (var (to, sources) in links)
        {
            foreach (var from in sources) next[from.Node].Add(to.Node);
        }
        var state = new Dictionary<string, int>(StringComparer.Ordinal); // 1 = on the path, 2 = done
        var path = new Stack<string>();
        foreach (var node in next.Keys)
        {
            if (Visit(node)) return;
        }

        bool Visit(string node)
        {
            if (state.GetValueOrDefault(node) == 2) return false;
            if (state.GetValueOrDefault(node) == 1)
            {
                var loop = path.Reverse().SkipWhile(n => n != node).Append(node);
                issues.Add(new(node, null, null, $"The links form a loop: {string.Join(" → ", loop)}. Data must flow one way."));
                return true;
            }
            state[node] = 1;
            path.Push(node);
            foreach (var target in next[node])
            {
                if (Visit(target)) return true;
            }
            path.Pop();
            state[node] = 2;
            return false;
        }
    }

    private static void CheckOptions(DataflowOptions options, List<ValidationIssue> issues)
    {
        if (options.MaxErrors is < 0)
            issues.Add(new(null, null, "maxErrors", "Max errors cannot be negative."));
        if (options.MaxErrorRatePercent is < 0 or > 100)
            issues.Add(new(null, null, "maxErrorRatePercent", "Max error rate must be between 0 and 100 percent."));
    }

    private static string Names(IEnumerable<PortDescriptor> ports)
    {
        var names = string.Join(", ", ports.Select(p => p.Name));
        return names.Length == 0 ? "none" : names;
    }

    private static string ToJsonName(string name) => DataflowJson.Options.PropertyNamingPolicy!.ConvertName(name);

    [GeneratedRegex("^[A-Za-z0-9_-]+$")]
    private static partial Regex NodeId();
}
