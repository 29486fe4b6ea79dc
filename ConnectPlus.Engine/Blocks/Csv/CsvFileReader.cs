using System.Globalization;
using System.Text;
using ConnectPlus.Engine.Data;
using ConnectPlus.Engine.Runtime;
using CsvHelper;

namespace ConnectPlus.Engine.Blocks.Csv;

/// <summary>Reads one CSV file for <see cref="ReadCsvBlock"/>: header, rows in batches, rejects.</summary>
internal sealed class CsvFileReader(BlockContext context, ReadCsvSettings settings, FileItem file)
{
    // A record still open past this size is almost surely a quote that is never closed; stop
    // before the reader buffers the rest of a large file.
    private const int MaxRecordBytes = 16 * 1024 * 1024;
    private const int RawTextLimit = 500;

    private readonly Queue<CsvMalformedRecord> _malformed = new();
    private readonly string _name = file.Name;
    private CsvTextStream _input = null!;
    private RecordSchema _schema = null!;
    private RecordBatchBuilder _batch = null!;
    private long _rows;
    private long _rejected;
    private long _strayQuotes;
    private long _firstStrayQuote;

    /// <summary>Reads the file; returns its schema (the previous one when the columns are the same, or when the file is empty).</summary>
    public async Task<RecordSchema?> ReadAsync(RecordSchema? previous, CancellationToken cancellationToken)
    {
        var input = _input = await CsvTextStream.OpenAsync(file, settings.Encoding, cancellationToken).ConfigureAwait(false);
        await using var inputScope = input.ConfigureAwait(false);
        var csv = CsvReader.Create(input, Options(input.Encoding), leaveOpen: true);
        await using var csvScope = csv.ConfigureAwait(false);
        try
        {
            var rows = await ReadHeaderAsync(csv, previous, cancellationToken).ConfigureAwait(false);
            if (rows is true) await ReadRowsAsync(csv, cancellationToken).ConfigureAwait(false);
            if (input.InvalidAt >= 0) throw input.NotUtf8("near its end");
            if (rows is null) return previous;
        }
        catch (CsvFormatException ex)
        {
            // With malformed data recovered and any field count allowed, the reader only throws for a record past MaxRecordSize.
            var where = ex.LineNumber > 0 ? $" line {ex.LineNumber}" : "";
            throw new BlockException(
                $"{_name}{where}: a row is longer than {MaxRecordBytes / (1024 * 1024)} MiB, which is almost always a quote that is never closed. " +
                "Close the quote (or double it: \"\") and read the file again.", ex)
            { File = _name };
        }
        Summary(input.EncodingName);
        return _schema;
    }

    private CsvReaderOptions Options(Encoding? encoding)
    {
        CsvFormat.TryDelimiter(settings.Delimiter, out var delimiter);
        var escape = !string.IsNullOrEmpty(settings.Escape);
        return CsvReaderOptions.Default with
        {
            Separator = delimiter,
            Mode = escape ? CsvMode.Escape : CsvMode.Rfc4180,
            Quote = escape ? CsvReaderOptions.Default.Quote : settings.Quote[0],
            Escape = escape ? settings.Escape![0] : CsvReaderOptions.Default.Escape,
            HasHeader = settings.HasHeaderRow,
            TrimWhitespace = settings.TrimWhitespace,
            SkipEmptyLines = settings.SkipBlankLines,
            DetectSeparatorHint = false,
            TrackLineNumbers = true,
            Encoding = encoding,
            MaxRecordSize = MaxRecordBytes,
            MalformedData = CsvMalformedDataHandling.Recover,
            FieldCountMismatch = CsvFieldCountHandling.Allow,
            OnMalformedRecord = _malformed.Enqueue,
            // No string pooling: measured on a 1M-member export, pooling made reading 30-80% slower
            // (a lock and a lookup per new value), and the block that holds rows (Join) packs them
            // as UTF-8, so shared strings saved it no memory.
            PoolStrings = false,
        };
    }

    // Returns whether a row follows the header (the reader is on it), or null when the file is empty.
    private async Task<bool?> ReadHeaderAsync(CsvReader csv, RecordSchema? previous, CancellationToken cancellationToken)
    {
        IReadOnlyList<string> names;
        if (settings.HasHeaderRow)
        {
            await csv.ReadHeaderAsync(cancellationToken).ConfigureAwait(false);
            if (_malformed.TryPeek(out var bad) && bad.RecordNumber == 1 && bad.Reason is not (CsvMalformedReason.StrayQuote or CsvMalformedReason.TrailingEscape))
                throw new BlockException($"{_name} line {bad.LineNumber}: the header row has bad quoting ({Reason(bad.Reason)}). Fix the file's first line.") { File = _name };
            while (_malformed.TryPeek(out var kept) && kept.RecordNumber == 1) _malformed.Dequeue(); // a stray quote in a name stays in the name
            var header = csv.Headers;
            if (header.Count == 0) return Empty("it has no header row and no rows");
            names = settings.ManualHeaders.Count > 0 ? ManualNames(header.Count) : FileNames(header);
            var more = await csv.ReadAsync(cancellationToken).ConfigureAwait(false);
            if (_input.InvalidAt >= 0 && (!more || _input.InvalidAt < csv.ByteOffset)) throw _input.NotUtf8("in the header row");
            if (!more) return Start(names, previous, rows: false);
        }
        else
        {
            if (!await csv.ReadAsync(cancellationToken).ConfigureAwait(false)) return Empty("it has no rows");
            names = settings.ManualHeaders.Count > 0
                ? settings.ManualHeaders
                : [.. Enumerable.Range(1, csv.FieldCount).Select(i => $"column{i}")];
        }
        return Start(names, previous, rows: true);
    }

    private bool Start(IReadOnlyList<string> names, RecordSchema? previous, bool rows)
    {
        _schema = previous is not null && previous.Columns.SequenceEqual(names, StringComparer.Ordinal) ? previous : new RecordSchema(names);
        _batch = new RecordBatchBuilder(_schema, context.BatchSize);
        return rows;
    }

    private bool? Empty(string what)
    {
        context.Log(RunLogLevel.Warning, $"{_name} is empty: {what}. It gives no rows.");
        return null;
    }

    private List<string> ManualNames(int headerCount)
    {
        if (headerCount != settings.ManualHeaders.Count)
        {
            throw new BlockException(
                $"{_name} has {headerCount} columns in its header row, but Manual headers gives {settings.ManualHeaders.Count} names. " +
                "Give one name per column, or clear Manual headers to use the file's names.")
            { Setting = "manualHeaders", File = _name };
        }
        return settings.ManualHeaders;
    }

    private List<string> FileNames(IReadOnlyList<string> header)
    {
        var named = header.Select((name, i) => string.IsNullOrWhiteSpace(name) ? $"column{i + 1}" : name).ToList();
        var unique = RecordSchema.MakeUnique(named);
        var renamed = named.Zip(unique, (before, after) => (before, after)).Where(p => p.before != p.after).ToList();
        if (renamed.Count > 0)
            context.Log(RunLogLevel.Warning, $"{_name}: the header row repeats column names; renamed {string.Join(", ", renamed.Select(p => $"{p.before} → {p.after}"))}.");
        var blank = header.Select((name, i) => (name, i)).Where(p => string.IsNullOrWhiteSpace(p.name)).Select(p => $"column{p.i + 1}").ToList();
        if (blank.Count > 0)
            context.Log(RunLogLevel.Warning, $"{_name}: {blank.Count} columns have no name in the header row; they are called {string.Join(", ", blank)}.");
        return [.. unique];
    }

    private async Task ReadRowsAsync(CsvReader csv, CancellationToken cancellationToken)
    {
        var width = _schema.Count;
        var cache = new CsvValueCache(width);
        while (true)
        {
            if (_input.InvalidAt >= 0) StopAtInvalidByte(csv);
            if (csv.FieldCount == width && _malformed.Count == 0)
            {
                var values = new string?[width];
                for (var i = 0; i < values.Length; i++) values[i] = cache.Get(csv, i);
                _rows++;
                if (_batch.Add(new Record(values, new SourceRef(_name, csv.LineNumber))))
                    await context.WriteAsync("records", _batch.Take(), cancellationToken).ConfigureAwait(false);
            }
            else
            {
                await CheckedRowAsync(csv, cancellationToken).ConfigureAwait(false);
            }
            // The reader completes at once while its buffer holds records: no await then.
            var next = csv.ReadAsync(cancellationToken);
            if (!(next.IsCompletedSuccessfully ? next.Result : await next.ConfigureAwait(false))) break;
        }
        if (_batch.Count > 0) await context.WriteAsync("records", _batch.Take(), cancellationToken).ConfigureAwait(false);
    }

    // Throws when the current record holds the byte that is not valid UTF-8, naming its line.
    private void StopAtInvalidByte(CsvReader csv)
    {
        var raw = csv.RawRecord;
        var into = _input.InvalidAt - csv.ByteOffset;
        if (into > raw.Length) return;
        var line = csv.LineNumber + raw[..(int)Math.Max(0, into)].Count((byte)'\n');
        throw _input.NotUtf8($"line {line}");
    }

    private async ValueTask AddAsync(Record row, CancellationToken cancellationToken)
    {
        _rows++;
        if (_batch.Add(row)) await context.WriteAsync("records", _batch.Take(), cancellationToken).ConfigureAwait(false);
    }

    // The slow path: a row with a quoting problem or the wrong number of fields.
    private async ValueTask CheckedRowAsync(CsvReader csv, CancellationToken cancellationToken)
    {
        var width = _schema.Count;
        var count = csv.FieldCount;
        var line = csv.LineNumber;
        var values = new string?[width];
        var source = new SourceRef(_name, line);
        if (count == 1 && csv.RawRecord.IsEmpty)
        {
            // An empty line read as a row (Skip blank lines is off).
            Array.Fill(values, "");
            await AddAsync(new Record(values, source), cancellationToken).ConfigureAwait(false);
            return;
        }
        for (var i = 0; i < Math.Min(count, width); i++) values[i] = csv.GetString(i);
        var malformed = MalformedAt(line);
        string? reject = null, code = null;
        if (malformed is { } bad)
        {
            code = "CSV_MALFORMED";
            reject = bad.Reason == CsvMalformedReason.UnterminatedQuote
                ? $"{_name} line {line}: a quoted field is never closed, so the rest of the file ({LineCount(csv)} lines) was read into this row. Close the quote (or double it: \"\") and read the file again."
                : $"{_name} line {line}: {Reason(bad.Reason)}. The line was: {Raw(csv)}";
        }
        else if (count != width)
        {
            code = "CSV_FIELD_COUNT";
            reject = count > width
                ? $"{_name} line {line}: expected {width} fields, found {count}; only the first {width} are in the row. The line was: {Raw(csv)}"
                : $"{_name} line {line}: expected {width} fields, found {count}; the missing fields are empty.";
        }
        if (reject is null)
        {
            await AddAsync(new Record(values, source), cancellationToken).ConfigureAwait(false);
            return;
        }
        _rejected++;
        await context.RejectAsync(_schema, new Record(values, source), code!, reject, cancellationToken).ConfigureAwait(false);
    }

    // Takes the quoting problems reported up to this line; returns the one of this line when it makes the row unusable.
    private CsvMalformedRecord? MalformedAt(long line)
    {
        CsvMalformedRecord? found = null;
        while (_malformed.TryPeek(out var next) && next.LineNumber <= line)
        {
            _malformed.Dequeue();
            if (next.LineNumber != line) continue;
            if (next.Reason is CsvMalformedReason.StrayQuote or CsvMalformedReason.TrailingEscape)
            {
                // ab"c or a final lone escape: the value is clear, the character is kept as text.
                if (_strayQuotes++ == 0) _firstStrayQuote = line;
                continue;
            }
            found = next;
        }
        return found;
    }

    private void Summary(string encoding)
    {
        if (_strayQuotes > 0)
        {
            context.Log(RunLogLevel.Warning,
                $"{_name}: {_strayQuotes} rows have a quote (or escape) character inside a field that does not start with a quote (first at line {_firstStrayQuote}); it was kept as text.");
        }
        var rejected = _rejected > 0 ? $", {_rejected} rejected" : "";
        context.Log(RunLogLevel.Info, $"{_name}: {_rows.ToString("N0", CultureInfo.InvariantCulture)} rows read{rejected} ({encoding}, {_schema.Count} columns).");
    }

    private static string Reason(CsvMalformedReason reason) => reason switch
    {
        CsvMalformedReason.TextAfterClosingQuote => "text follows the closing quote of a quoted field (a quote inside a quoted field must be doubled: \"\")",
        CsvMalformedReason.UnterminatedQuote => "a quoted field is never closed",
        CsvMalformedReason.LineBreakInQuotes => "a line break inside a quoted field",
        CsvMalformedReason.StrayQuote => "a quote inside a field that does not start with a quote",
        _ => $"bad quoting ({reason})",
    };

    private static string Raw(CsvReader csv)
    {
        var text = Encoding.UTF8.GetString(csv.RawRecord);
        return text.Length <= RawTextLimit ? text : string.Concat(text.AsSpan(0, RawTextLimit), "…");
    }

    private static long LineCount(CsvReader csv)
    {
        var raw = csv.RawRecord.TrimEnd("\r\n"u8);
        var breaks = raw.Count((byte)'\n');
        return (breaks > 0 ? breaks : raw.Count((byte)'\r')) + 1;
    }
}
