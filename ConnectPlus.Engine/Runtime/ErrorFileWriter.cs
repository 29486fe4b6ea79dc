using ConnectPlus.Engine.Data;
using CsvHelper;

namespace ConnectPlus.Engine.Runtime;

/// <summary>
/// Writes rejected rows that no link took to the run's error files: one CSV per block and input
/// schema, <c>errors-{node}.csv</c> (then <c>-2</c>, <c>-3</c> when a block rejects rows of another
/// shape), with the original columns followed by the error columns. Files are written under a
/// temporary name and renamed when the run ends.
/// </summary>
internal sealed class ErrorFileWriter(string folder) : IDisposable
{
    private readonly Lock _lock = new();
    private readonly List<Target> _targets = [];
    private readonly Dictionary<string, int> _perNode = new(StringComparer.Ordinal);
    private readonly List<string> _files = [];

    /// <summary>Final paths of the files written.</summary>
    public IReadOnlyList<string> Files
    {
        get { lock (_lock) return [.. _files]; }
    }

    public void Add(RejectedRecord rejected)
    {
        lock (_lock)
        {
            var target = TargetFor(rejected);
            foreach (var value in BlockContext.RejectValues(rejected)) target.Csv.WriteField(value);
            target.Csv.EndRecord();
        }
    }

    /// <summary>Flushes and renames every file to its final name.</summary>
    public void Complete()
    {
        lock (_lock)
        {
            foreach (var target in _targets)
            {
                target.Csv.Dispose();
                File.Move(target.TempPath, target.FinalPath, overwrite: true);
            }
            _targets.Clear();
        }
    }

    public void Dispose()
    {
        lock (_lock)
        {
            foreach (var target in _targets)
            {
                target.Csv.Dispose();
            }
        }
    }

    private Target TargetFor(RejectedRecord rejected)
    {
        foreach (var t in _targets)
        {
            if (t.NodeId == rejected.NodeId && t.Schema.SameColumns(rejected.Schema)) return t;
        }
        Directory.CreateDirectory(folder);
        var n = _perNode[rejected.NodeId] = _perNode.GetValueOrDefault(rejected.NodeId) + 1;
        var name = n == 1 ? $"errors-{rejected.NodeId}.csv" : $"errors-{rejected.NodeId}-{n}.csv";
        var finalPath = Path.Combine(folder, name);
        var tempPath = finalPath + ".part";
        var csv = CsvWriter.ToFile(tempPath, CsvWriterOptions.Default);
        csv.WriteHeader([.. rejected.Schema.Columns.Concat(RejectedRecord.ErrorColumns)]);
        var target = new Target(rejected.NodeId, rejected.Schema, finalPath, tempPath, csv);
        _targets.Add(target);
        _files.Add(finalPath);
        return target;
    }

    private sealed record Target(string NodeId, RecordSchema Schema, string FinalPath, string TempPath, CsvWriter Csv);
}
