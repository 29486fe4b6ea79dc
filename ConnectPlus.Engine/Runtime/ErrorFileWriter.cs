using ConnectPlus.Engine.Data;
using CsvHelper;

namespace ConnectPlus.Engine.Runtime;

/// <summary>
/// Writes rejected rows that no link took to the run's error files: one CSV per block and input
/// schema, <c>errors-{node}.csv</c> (then <c>-2</c>, <c>-3</c> when a block rejects rows of another
/// shape), with the original columns followed by the error columns. Files are written under a
/// temporary name and renamed when the run ends.
/// <para>
/// The run also gets one error file with every rejected row, whichever block rejected it
/// (<see cref="RunFile"/>): when more than one file was written, <c>errors.csv</c> joins them once the
/// run ends, streamed file by file, under the union of their columns (each block's own columns in the
/// order they first appear, the error columns last); a row leaves the columns its block did not have
/// empty. With one file, that file is the run's.
/// </para>
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

    /// <summary>The name of the file that joins the blocks' files.</summary>
    public const string RunFileName = "errors.csv";

    /// <summary>
    /// Once <see cref="Complete"/> has run: the run's one error file with every rejected row (the joined
    /// <c>errors.csv</c>, or the only block file), or null when no row was rejected.
    /// </summary>
    public string? RunFile
    {
        get { lock (_lock) return _runFile; }
    }

    private string? _runFile;

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
            var written = _targets.ToList();
            _targets.Clear();
            _runFile = written.Count switch
            {
                0 => null,
                1 => written[0].FinalPath,
                _ => Join(written),
            };
        }
    }

    /// <summary>Writes <c>errors.csv</c>: every block file's rows under the union of their columns.</summary>
    private string Join(IReadOnlyList<Target> targets)
    {
        // A block's own columns are matched by name (a schema never repeats one); the error columns, last in
        // every file, take the union's last places, even where a block's input has a column of the same name.
        var union = new List<string>();
        var places = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var column in targets.SelectMany(t => t.Schema.Columns))
        {
            if (places.TryAdd(column, union.Count)) union.Add(column);
        }
        var own = union.Count;
        union.AddRange(RejectedRecord.ErrorColumns);
        var maps = targets.Select(t => (int[])[.. t.Schema.Columns.Select(c => places[c]), .. Enumerable.Range(own, RejectedRecord.ErrorColumns.Count)]).ToList();

        var finalPath = Path.Combine(folder, RunFileName);
        var tempPath = finalPath + ".part";
        try
        {
            using (var output = CsvWriter.ToFile(tempPath, CsvWriterOptions.Default))
            {
                output.WriteHeader([.. union]);
                var row = new string?[union.Count];
                for (var t = 0; t < targets.Count; t++)
                {
                    var map = maps[t];
                    using var input = CsvReader.Create(File.OpenRead(targets[t].FinalPath), ReadBack, leaveOpen: false);
                    input.Read(); // the file's header
                    while (input.Read())
                    {
                        Array.Clear(row);
                        var count = Math.Min(input.FieldCount, map.Length);
                        for (var i = 0; i < count; i++) row[map[i]] = input.GetString(i);
                        foreach (var value in row) output.WriteField(value);
                        output.EndRecord();
                    }
                }
            }
        }
        catch
        {
            // The blocks' own files stay; a half-written join would only mislead.
            File.Delete(tempPath);
            throw;
        }
        File.Move(tempPath, finalPath, overwrite: true);
        return finalPath;
    }

    // How the block files are read back: as they were written (comma, RFC 4180 quotes, UTF-8), with
    // line breaks inside quoted values, the header row read as a row.
    private static readonly CsvReaderOptions ReadBack = CsvReaderOptions.Default with
    {
        HasHeader = false,
        DetectSeparatorHint = false,
        Separator = CsvWriterOptions.Default.Separator,
        FieldCountMismatch = CsvFieldCountHandling.Allow,
        SkipEmptyLines = false,
        TrimWhitespace = false,
        PoolStrings = false,
    };

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
