using ConnectPlus.Engine.Catalog;
using ConnectPlus.Engine.Model;

namespace ConnectPlus.Engine.Runtime;

/// <summary>
/// Facts about the shape of a dataflow that blocks with several inputs need to avoid deadlock.
/// Record links are bounded, file links are not: a block that stops reading one input can only
/// hold up upstream blocks through record links.
/// </summary>
internal sealed class RunTopology
{
    private readonly List<(PortRef From, PortRef To, PortKind Kind)> _links;

    public RunTopology(DataflowDefinition dataflow, Func<PortRef, PortKind> kindOf)
    {
        _links = [.. dataflow.Edges.Select(e => (e.Source, e.Target, kindOf(e.Source)))];
    }

    /// <summary>
    /// True when leaving <paramref name="unread"/> of a node unread can stop rows from ever reaching
    /// its <paramref name="other"/> input: some block that would then wait on a full record link is
    /// also upstream of <paramref name="other"/> (e.g. one block feeding both sides of a join).
    /// </summary>
    public bool MayStarve(string node, string unread, string other)
    {
        var blocked = new HashSet<string>(StringComparer.Ordinal);
        var pending = new Stack<PortRef>([new PortRef(node, unread)]);
        while (pending.Count > 0)
        {
            var input = pending.Pop();
            foreach (var link in _links.Where(l => l.To == input && l.Kind == PortKind.Records))
            {
                if (!blocked.Add(link.From.Node)) continue;
                // A blocked block stops reading all of its inputs.
                foreach (var upstream in _links.Where(l => l.To.Node == link.From.Node)) pending.Push(upstream.To);
            }
        }
        return Ancestors(new PortRef(node, other)).Overlaps(blocked);
    }

    private HashSet<string> Ancestors(PortRef input)
    {
        var found = new HashSet<string>(StringComparer.Ordinal);
        var pending = new Stack<PortRef>([input]);
        while (pending.Count > 0)
        {
            var port = pending.Pop();
            foreach (var link in _links.Where(l => l.To == port))
            {
                if (!found.Add(link.From.Node)) continue;
                foreach (var upstream in _links.Where(l => l.To.Node == link.From.Node)) pending.Push(upstream.To);
            }
        }
        return found;
    }
}
