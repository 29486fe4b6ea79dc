using System.Text;

namespace ConnectPlus.Engine.Blocks.Api;

/// <summary>
/// The fast path of <see cref="V2BulkAnswerReader"/>: reads the v2 bulk answers APIs usually give
/// (<c>{"response":[{"entityId":…,"result":{…,"sideEffects":[{"type":"points","awardedPoints":120}]},"errors":[],"warnings":[]}],…}</c>)
/// straight from the bytes, without a token per value. It takes only a strict part of JSON: strings
/// of printable ASCII (the values it keeps without escapes; the ones it skips with simple escapes, no
/// <c>\u</c>), whole points, no property of an item given twice, items that are objects, … Anything
/// else (or anything it is not sure is JSON) it leaves to the general reader, which then reads the
/// answer as it always did: for what it takes, it gives what the general reader gives.
/// </summary>
internal static class V2BulkAnswerScanner
{
    /// <summary>Nesting the scanner follows at most (the general reader and documents allow 64).</summary>
    private const int MaxDepth = 32;

    /// <summary>
    /// True when the answer was read: <paramref name="results"/> as <see cref="V2BulkAnswerReader.TryRead"/>
    /// gives them. False: the answer is not one the scanner takes (the general reader must read it).
    /// </summary>
    public static bool TryRead(ReadOnlySpan<byte> body, int count, out List<ItemResult>? results)
    {
        results = null;
        var scanner = new Scanner(body);
        if (!scanner.TryAnswer(count, out var read)) return false;
        results = read is not null && read.Count == count ? read : null;
        return true;
    }

    private ref struct Scanner(ReadOnlySpan<byte> text)
    {
        private readonly ReadOnlySpan<byte> _text = text;
        private int _at;

        public bool TryAnswer(int count, out List<ItemResult>? results)
        {
            results = null;
            SkipSpace();
            if (!Take((byte)'{')) return false;
            var seenResponse = false;
            if (!TryEnd((byte)'}', out var end)) return false;
            while (!end)
            {
                if (!TryName(out var name)) return false;
                if (name.SequenceEqual("response"u8))
                {
                    if (seenResponse || !TryItems(count, out results)) return false;
                    seenResponse = true;
                }
                else if (!TrySkipValue(1))
                {
                    return false;
                }
                if (!TryNext((byte)'}', out end)) return false;
            }
            SkipSpace();
            return _at == _text.Length;
        }

        private bool TryItems(int count, out List<ItemResult>? results)
        {
            results = null;
            if (!Take((byte)'[')) return false;
            var read = new List<ItemResult>(count);
            if (!TryEnd((byte)']', out var end)) return false;
            while (!end)
            {
                if (!TryItem(out var item)) return false;
                read.Add(item);
                if (!TryNext((byte)']', out end)) return false;
            }
            results = read;
            return true;
        }

        private bool TryItem(out ItemResult item)
        {
            item = default;
            if (!Take((byte)'{')) return false;
            string? entityId = null;
            List<(string? Code, string? Message)>? errors = null, warnings = null;
            decimal? points = null;
            var seen = 0;
            if (!TryEnd((byte)'}', out var end)) return false;
            while (!end)
            {
                if (!TryName(out var name)) return false;
                var property = name.SequenceEqual("entityId"u8) ? 1
                    : name.SequenceEqual("errors"u8) ? 2
                    : name.SequenceEqual("warnings"u8) ? 4
                    : name.SequenceEqual("result"u8) ? 8
                    : name.SequenceEqual("sideEffects"u8) ? 16
                    : 0;
                if ((seen & property) != 0) return false;
                seen |= property;
                var ok = property switch
                {
                    1 => TryText(out entityId),
                    2 => TryMessages(out errors),
                    4 => TryMessages(out warnings),
                    8 => TryResult(out points),
                    // Side effects outside the result: left to the general reader.
                    16 => false,
                    _ => TrySkipValue(3),
                };
                if (!ok || !TryNext((byte)'}', out end)) return false;
            }
            item = V2BulkAnswerReader.Result(entityId, errors, warnings, points);
            return true;
        }

        /// <summary>The item's <c>result</c>: null, or an object whose <c>sideEffects</c> (if any) is an array of effects.</summary>
        private bool TryResult(out decimal? points)
        {
            points = null;
            if (TryLiteral("null"u8)) return true;
            if (!Take((byte)'{')) return false;
            var seen = false;
            if (!TryEnd((byte)'}', out var end)) return false;
            while (!end)
            {
                if (!TryName(out var name)) return false;
                if (name.SequenceEqual("sideEffects"u8))
                {
                    if (seen || !TryEffects(out points)) return false;
                    seen = true;
                }
                else if (!TrySkipValue(4))
                {
                    return false;
                }
                if (!TryNext((byte)'}', out end)) return false;
            }
            return true;
        }

        /// <summary>An array of effect objects: the sum of the whole <c>awardedPoints</c> of those of type "points" (any case).</summary>
        private bool TryEffects(out decimal? points)
        {
            points = null;
            if (!Take((byte)'[')) return false;
            if (!TryEnd((byte)']', out var end)) return false;
            while (!end)
            {
                if (!TryEffect(ref points) || !TryNext((byte)']', out end)) return false;
            }
            return true;
        }

        private bool TryEffect(ref decimal? points)
        {
            if (!Take((byte)'{')) return false;
            bool seenType = false, seenAmount = false, isPoints = false;
            long? amount = null;
            if (!TryEnd((byte)'}', out var end)) return false;
            while (!end)
            {
                if (!TryName(out var name)) return false;
                if (name.SequenceEqual("type"u8))
                {
                    if (seenType || !TryPlainString(out var type)) return false;
                    seenType = true;
                    // Printable ASCII: the general reader's case-insensitive comparison is this one.
                    isPoints = Ascii.EqualsIgnoreCase(type, "points"u8);
                }
                else if (name.SequenceEqual("awardedPoints"u8))
                {
                    if (seenAmount || !TryWholeNumber(out amount)) return false;
                    seenAmount = true;
                }
                else if (!TrySkipValue(6))
                {
                    return false;
                }
                if (!TryNext((byte)'}', out end)) return false;
            }
            if (isPoints && amount is { } value) points = (points ?? 0) + value;
            return true;
        }

        /// <summary><c>errors</c> or <c>warnings</c>: an array of objects, each with a <c>code</c> and a <c>message</c> at most once.</summary>
        private bool TryMessages(out List<(string? Code, string? Message)>? list)
        {
            list = null;
            if (!Take((byte)'[')) return false;
            if (!TryEnd((byte)']', out var end)) return false;
            while (!end)
            {
                if (!Take((byte)'{')) return false;
                string? code = null, message = null;
                bool seenCode = false, seenMessage = false;
                if (!TryEnd((byte)'}', out var endOfMessage)) return false;
                while (!endOfMessage)
                {
                    if (!TryName(out var name)) return false;
                    bool ok;
                    if (name.SequenceEqual("code"u8))
                    {
                        ok = !seenCode && TryText(out code);
                        seenCode = true;
                    }
                    else if (name.SequenceEqual("message"u8))
                    {
                        ok = !seenMessage && TryText(out message);
                        seenMessage = true;
                    }
                    else
                    {
                        ok = TrySkipValue(5);
                    }
                    if (!ok || !TryNext((byte)'}', out endOfMessage)) return false;
                }
                (list ??= []).Add((code, message));
                if (!TryNext((byte)']', out end)) return false;
            }
            return true;
        }

        /// <summary>A value kept as text: a plain string, a number as written, or null (anything else: not taken).</summary>
        private bool TryText(out string? text)
        {
            text = null;
            if (_at >= _text.Length) return false;
            var first = _text[_at];
            if (first == '"')
            {
                if (!TryPlainString(out var value)) return false;
                text = Encoding.UTF8.GetString(value);
                return true;
            }
            if (first == '-' || (uint)(first - '0') <= 9)
            {
                var start = _at;
                if (!TrySkipNumber()) return false;
                text = Encoding.UTF8.GetString(_text[start.._at]);
                return true;
            }
            return TryLiteral("null"u8);
        }

        /// <summary>A whole number of 1 to 18 digits (no sign, fraction or exponent), or null.</summary>
        private bool TryWholeNumber(out long? number)
        {
            number = null;
            if (TryLiteral("null"u8)) return true;
            var start = _at;
            long value = 0;
            while (_at < _text.Length && (uint)(_text[_at] - '0') <= 9) value = (value * 10) + (_text[_at++] - '0');
            var digits = _at - start;
            if (digits is 0 or > 18 || (digits > 1 && _text[start] == '0')) return false;
            // A fraction or an exponent follows: not a whole number as written.
            if (_at < _text.Length && _text[_at] is (byte)'.' or (byte)'e' or (byte)'E') return false;
            number = value;
            return true;
        }

        /// <summary>A string of printable ASCII without escapes; <paramref name="value"/> is its content.</summary>
        private bool TryPlainString(out ReadOnlySpan<byte> value)
        {
            value = default;
            var text = _text;
            var at = _at;
            if (at >= text.Length || text[at] != '"') return false;
            var start = ++at;
            // Short strings (names, ids, codes): byte by byte, no escapes, printable ASCII alone.
            while (true)
            {
                if ((uint)at >= (uint)text.Length) return false;
                var b = text[at];
                if (b == '"') break;
                if (b is < 0x20 or > 0x7E or (byte)'\\') return false;
                at++;
            }
            value = text[start..at];
            _at = at + 1;
            return true;
        }

        /// <summary>A property name (a plain string) and its colon.</summary>
        private bool TryName(out ReadOnlySpan<byte> name)
        {
            if (!TryPlainString(out name)) return false;
            SkipSpace();
            if (!Take((byte)':')) return false;
            SkipSpace();
            return true;
        }

        /// <summary>Skips any JSON value the scanner takes (strings of printable ASCII with simple escapes), nested at most <see cref="MaxDepth"/>.</summary>
        private bool TrySkipValue(int depth)
        {
            if (_at >= _text.Length) return false;
            switch (_text[_at])
            {
                case (byte)'"':
                    return TrySkipString();
                case (byte)'{':
                {
                    if (depth >= MaxDepth) return false;
                    _at++;
                    if (!TryEnd((byte)'}', out var end)) return false;
                    while (!end)
                    {
                        if (!TryName(out _) || !TrySkipValue(depth + 1) || !TryNext((byte)'}', out end)) return false;
                    }
                    return true;
                }
                case (byte)'[':
                {
                    if (depth >= MaxDepth) return false;
                    _at++;
                    if (!TryEnd((byte)']', out var end)) return false;
                    while (!end)
                    {
                        if (!TrySkipValue(depth + 1) || !TryNext((byte)']', out end)) return false;
                    }
                    return true;
                }
                case (byte)'t':
                    return TryLiteral("true"u8);
                case (byte)'f':
                    return TryLiteral("false"u8);
                case (byte)'n':
                    return TryLiteral("null"u8);
                default:
                    return TrySkipNumber();
            }
        }

        private bool TrySkipString()
        {
            var text = _text;
            var at = _at + 1;
            while (true)
            {
                if ((uint)at >= (uint)text.Length) return false;
                var b = text[at++];
                if (b == '"') break;
                if (b is < 0x20 or > 0x7E) return false;
                if (b != '\\') continue;
                // An escape: only the one-letter ones (\u is left to the general reader).
                if ((uint)at >= (uint)text.Length || text[at] is not ((byte)'"' or (byte)'\\' or (byte)'/' or (byte)'b' or (byte)'f' or (byte)'n' or (byte)'r' or (byte)'t')) return false;
                at++;
            }
            _at = at;
            return true;
        }

        /// <summary>A JSON number: -?(0|[1-9][0-9]*)(.[0-9]+)?([eE][+-]?[0-9]+)?</summary>
        private bool TrySkipNumber()
        {
            if (_at < _text.Length && _text[_at] == '-') _at++;
            if (_at >= _text.Length) return false;
            if (_text[_at] == '0') _at++;
            else if (!TryDigits()) return false;
            if (_at < _text.Length && _text[_at] == '.')
            {
                _at++;
                if (!TryDigits()) return false;
            }
            if (_at < _text.Length && _text[_at] is (byte)'e' or (byte)'E')
            {
                _at++;
                if (_at < _text.Length && _text[_at] is (byte)'+' or (byte)'-') _at++;
                if (!TryDigits()) return false;
            }
            return true;
        }

        private bool TryDigits()
        {
            var start = _at;
            while (_at < _text.Length && (uint)(_text[_at] - '0') <= 9) _at++;
            return _at > start;
        }

        private bool TryLiteral(ReadOnlySpan<byte> literal)
        {
            if (!_text[_at..].StartsWith(literal)) return false;
            _at += literal.Length;
            return true;
        }

        /// <summary>After an opening bracket: <paramref name="end"/> when <paramref name="close"/> follows at once (an empty object or array).</summary>
        private bool TryEnd(byte close, out bool end)
        {
            SkipSpace();
            end = _at < _text.Length && _text[_at] == close;
            if (end) _at++;
            return _at <= _text.Length;
        }

        /// <summary>After a value: a comma (more follow) or <paramref name="close"/> (<paramref name="end"/>); anything else is not taken.</summary>
        private bool TryNext(byte close, out bool end)
        {
            SkipSpace();
            end = false;
            if (_at >= _text.Length) return false;
            var next = _text[_at++];
            if (next == close)
            {
                end = true;
                return true;
            }
            if (next != ',') return false;
            SkipSpace();
            return true;
        }

        private bool Take(byte expected)
        {
            if (_at >= _text.Length || _text[_at] != expected) return false;
            _at++;
            return true;
        }

        private void SkipSpace()
        {
            while (_at < _text.Length && _text[_at] is (byte)' ' or (byte)'\t' or (byte)'\n' or (byte)'\r') _at++;
        }
    }
}
