using System.Runtime.CompilerServices;
using System.Text;
using ConnectPlus.Engine.Data;

namespace ConnectPlus.Engine.Blocks.Join;

/// <summary>
/// Record batches written to a temporary file and read back in order (the file is deleted when closed).
/// Frame: int32 length, then the batch: schema number (columns written the first time), row count, and per
/// row its origin and values.
/// </summary>
internal sealed class RecordSpillFile(string path) : IAsyncDisposable
{
    private readonly FileStream _stream = new(path, FileMode.CreateNew, FileAccess.ReadWrite, FileShare.None, 1 << 16,
        FileOptions.Asynchronous | FileOptions.DeleteOnClose);
    private readonly Dictionary<RecordSchema, int> _schemas = new(ReferenceEqualityComparer.Instance);
    private readonly MemoryStream _frame = new();

    /// <summary>Rows written.</summary>
    public long Rows { get; private set; }

    public async ValueTask WriteAsync(RecordBatch batch, CancellationToken cancellationToken)
    {
        _frame.SetLength(0);
        using (var writer = new BinaryWriter(_frame, Encoding.UTF8, leaveOpen: true))
        {
            writer.Write(0); // frame length, filled in below
            var known = _schemas.TryGetValue(batch.Schema, out var number);
            if (!known) _schemas[batch.Schema] = number = _schemas.Count;
            writer.Write7BitEncodedInt(number);
            writer.Write(!known);
            if (!known)
            {
                writer.Write7BitEncodedInt(batch.Schema.Count);
                foreach (var column in batch.Schema.Columns) writer.Write(column);
            }
            writer.Write7BitEncodedInt(batch.Count);
            foreach (var row in batch.Rows) WriteRow(writer, row);
        }
        var length = (int)_frame.Length;
        BitConverter.TryWriteBytes(_frame.GetBuffer().AsSpan(0, 4), length - 4);
        await _stream.WriteAsync(_frame.GetBuffer().AsMemory(0, length), cancellationToken).ConfigureAwait(false);
        Rows += batch.Count;
    }

    public async IAsyncEnumerable<RecordBatch> ReadAllAsync([EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await _stream.FlushAsync(cancellationToken).ConfigureAwait(false);
        _stream.Position = 0;
        var schemas = new List<RecordSchema>();
        var header = new byte[4];
        var buffer = Array.Empty<byte>();
        while (await _stream.ReadAtLeastAsync(header, 4, throwOnEndOfStream: false, cancellationToken).ConfigureAwait(false) == 4)
        {
            var length = BitConverter.ToInt32(header);
            if (buffer.Length < length) buffer = new byte[length];
            await _stream.ReadExactlyAsync(buffer.AsMemory(0, length), cancellationToken).ConfigureAwait(false);
            yield return ReadBatch(new MemoryStream(buffer, 0, length, writable: false), schemas);
        }
    }

    public ValueTask DisposeAsync()
    {
        _frame.Dispose();
        return _stream.DisposeAsync();
    }

    private static void WriteRow(BinaryWriter writer, Record row)
    {
        writer.Write(row.Source.File is not null);
        if (row.Source.File is not null) writer.Write(row.Source.File);
        writer.Write7BitEncodedInt64(row.Source.Line);
        writer.Write7BitEncodedInt(row.Values.Length);
        foreach (var value in row.Values)
        {
            writer.Write(value is not null);
            if (value is not null) writer.Write(value);
        }
    }

    private static RecordBatch ReadBatch(Stream frame, List<RecordSchema> schemas)
    {
        using var reader = new BinaryReader(frame, Encoding.UTF8);
        var number = reader.Read7BitEncodedInt();
        if (reader.ReadBoolean())
        {
            var columns = new string[reader.Read7BitEncodedInt()];
            for (var i = 0; i < columns.Length; i++) columns[i] = reader.ReadString();
            schemas.Add(new RecordSchema(columns));
        }
        var rows = new Record[reader.Read7BitEncodedInt()];
        string? lastFile = null;
        for (var r = 0; r < rows.Length; r++)
        {
            var file = reader.ReadBoolean() ? reader.ReadString() : null;
            if (file is not null && file == lastFile) file = lastFile;
            lastFile = file;
            var line = reader.Read7BitEncodedInt64();
            var values = new string?[reader.Read7BitEncodedInt()];
            for (var i = 0; i < values.Length; i++) values[i] = reader.ReadBoolean() ? reader.ReadString() : null;
            rows[r] = new Record(values, new SourceRef(file, line));
        }
        return new RecordBatch(schemas[number], rows);
    }
}
