using static ConnectPlus.Tests.Expressions.FormulaRunner;

namespace ConnectPlus.Tests.Expressions;

/// <summary>
/// Every library function: ordinary values, edge cases (missing, empty, bounds) and bad input.
/// The sample row (see <see cref="FormulaRunner.SampleRow"/>) has name='John Smith', amount='12.50',
/// bad='abc', empty='', missing=null, date='15/03/2024', iso='2024-03-15', flag='true', code='007'.
/// The clock reads 2024-03-15 10:30 UTC.
/// </summary>
public sealed class FormulaFunctionTests
{
    [Theory]
    // upper, lower, trim
    [InlineData("upper([name])", "JOHN SMITH")]
    [InlineData("upper('àb')", "ÀB")]
    [InlineData("upper([missing])", null)]
    [InlineData("upper(12.50)", "12.50")]
    [InlineData("lower('ÀB Cd')", "àb cd")]
    [InlineData("lower([missing])", null)]
    [InlineData("trim('  a b  ')", "a b")]
    [InlineData("trim('\\t x \\n')", "x")]
    [InlineData("trim([empty])", "")]
    [InlineData("trim([missing])", null)]
    // left, right, substring, mid
    [InlineData("left('abc', 5)", "abc")]
    [InlineData("left('abc', 0)", "")]
    [InlineData("left([missing], 2)", null)]
    [InlineData("left([code], '2')", "00")]
    [InlineData("right('abc', 2)", "bc")]
    [InlineData("right('abc', 9)", "abc")]
    [InlineData("right([missing], 1)", null)]
    [InlineData("substring('abcdef', 2, 3)", "bcd")]
    [InlineData("substring('abcdef', 4)", "def")]
    [InlineData("substring('abc', 10)", "")]
    [InlineData("substring('abc', 2, 100)", "bc")]
    [InlineData("substring('abc', 1, 0)", "")]
    [InlineData("substring([missing], 1)", null)]
    [InlineData("mid([iso], 9, 2)", "15")]
    // replace, concat, len
    [InlineData("replace('a-b-c', '-', '')", "abc")]
    [InlineData("replace('abc', '', 'x')", "abc")]
    [InlineData("replace('abc', 'b', [missing])", "ac")]
    [InlineData("replace('aAa', 'a', 'b')", "bAb")]
    [InlineData("replace([missing], 'a', 'b')", null)]
    [InlineData("concat('a', [missing], 1.50, true)", "a1.50true")]
    [InlineData("concat([first name], ' ', [name])", "John John Smith")]
    [InlineData("concat([missing])", "")]
    [InlineData("len('héllo')", "5")]
    [InlineData("len([empty])", "0")]
    [InlineData("len([missing])", "0")]
    // padLeft, padRight
    [InlineData("padLeft('42', 5)", "   42")]
    [InlineData("padLeft('123456', 3, '0')", "123456")]
    [InlineData("padLeft([missing], 3, '0')", null)]
    [InlineData("padLeft('', 2, '0')", "00")]
    [InlineData("padRight('ab', 4)", "ab  ")]
    [InlineData("padRight('abc', 2, '*')", "abc")]
    // contains, startsWith, endsWith
    [InlineData("contains('abc', 'B')", "false")]
    [InlineData("contains('abc', '')", "true")]
    [InlineData("contains([missing], 'a')", "false")]
    [InlineData("startsWith([name], 'John')", "true")]
    [InlineData("startsWith([name], 'john')", "false")]
    [InlineData("startsWith([missing], '')", "false")]
    [InlineData("endsWith([name], 'Smith')", "true")]
    [InlineData("endsWith([name], 'John')", "false")]
    // split
    [InlineData("split('a,b,c', ',', 1)", "a")]
    [InlineData("split('a,b,c', ',', -1)", "c")]
    [InlineData("split('a,b,c', ',', -3)", "a")]
    [InlineData("split('a,b,c', ',', 4)", null)]
    [InlineData("split('a,b,c', ',', -4)", null)]
    [InlineData("split('a,,c', ',', 2)", "")]
    [InlineData("split('a||b', '||', 2)", "b")]
    [InlineData("split('abc', ';', 1)", "abc")]
    [InlineData("split([missing], ';', 1)", null)]
    // regexMatch, regexReplace
    [InlineData("regexMatch('abc', '^a')", "true")]
    [InlineData("regexMatch('abc', '^b')", "false")]
    [InlineData("regexMatch([missing], '.*')", "false")]
    [InlineData("regexMatch([code], '^\\\\d{3}$')", "true")]
    [InlineData("regexReplace([iso], '(\\\\d+)-(\\\\d+)-(\\\\d+)', '$3/$2/$1')", "15/03/2024")]
    [InlineData("regexReplace('a1b2', '[0-9]', '')", "ab")]
    [InlineData("regexReplace([missing], 'a', 'b')", null)]
    // coalesce, isEmpty
    [InlineData("coalesce([missing], [empty], 'x')", "x")]
    [InlineData("coalesce([missing], '  ', [amount])", "12.50")]
    [InlineData("coalesce([missing])", null)]
    [InlineData("coalesce('a', toNumber([bad]))", "a")]
    [InlineData("isEmpty([empty])", "true")]
    [InlineData("isEmpty([missing])", "true")]
    [InlineData("isEmpty(' ')", "true")]
    [InlineData("isEmpty('x')", "false")]
    [InlineData("isEmpty(0)", "false")]
    // formatNumber
    [InlineData("formatNumber(1234.5, '0.00')", "1234.50")]
    [InlineData("formatNumber([amount], '#,##0.0')", "12.5")]
    [InlineData("formatNumber(1234567.891, '#,##0.##')", "1,234,567.89")]
    [InlineData("formatNumber(42, '000000')", "000042")]
    [InlineData("formatNumber([missing], '0')", null)]
    public void TextFunctions_GiveTheDocumentedResults(string formula, string? expected) =>
        Assert.Equal(expected, Text(formula));

    [Theory]
    [InlineData("today()", "2024-03-15")]
    [InlineData("today('UTC')", "2024-03-15")]
    [InlineData("today('Pacific/Kiritimati')", "2024-03-16")]
    [InlineData("today('America/Los_Angeles')", "2024-03-15")]
    [InlineData("now()", "2024-03-15T10:30:00Z")]
    [InlineData("now('Europe/Paris')", "2024-03-15T11:30:00")]
    [InlineData("now('America/New_York')", "2024-03-15T06:30:00")]
    [InlineData("parseDate([date], 'dd/MM/yyyy')", "2024-03-15")]
    [InlineData("parseDate(' 15/03/2024 ', 'dd/MM/yyyy')", "2024-03-15")]
    [InlineData("parseDate('2024-03-15 14:05', 'yyyy-MM-dd HH:mm')", "2024-03-15T14:05:00Z")]
    [InlineData("parseDate('15.03.2024', 'dd/MM/yyyy', 'dd.MM.yyyy')", "2024-03-15")]
    [InlineData("parseDate('2024-03-15T10:00:00+02:00', 'yyyy-MM-ddTHH:mm:sszzz')", "2024-03-15T08:00:00Z")]
    [InlineData("parseDate('15 Mar 2024', 'dd MMM yyyy')", "2024-03-15")]
    [InlineData("parseDate([empty], 'dd/MM/yyyy')", null)]
    [InlineData("parseDate([missing], 'dd/MM/yyyy')", null)]
    [InlineData("formatDate('2024-03-15T10:30:00', 'HH:mm')", "10:30")]
    [InlineData("formatDate(parseDate([date], 'dd/MM/yyyy'), 'dddd d MMMM yyyy')", "Friday 15 March 2024")]
    [InlineData("formatDate(now(), 'yyyy-MM-ddTHH:mm:ssK')", "2024-03-15T10:30:00Z")]
    [InlineData("formatDate('2024-03-15T12:00:00+05:30', 'HH:mm')", "06:30")]
    [InlineData("formatDate([missing], 'yyyy')", null)]
    [InlineData("reformatDate([date], 'dd/MM/yyyy', 'yyyy-MM-dd')", "2024-03-15")]
    [InlineData("reformatDate('20240315', 'yyyyMMdd', 'dd/MM/yy')", "15/03/24")]
    [InlineData("reformatDate([empty], 'dd/MM/yyyy', 'yyyy-MM-dd')", null)]
    [InlineData("addDays('2024-03-15', -15)", "2024-02-29")]
    [InlineData("addDays('2024-03-15T10:00:00', 0.5)", "2024-03-15T22:00:00Z")]
    [InlineData("addDays(today(), 1)", "2024-03-16")]
    [InlineData("addDays([missing], 1)", null)]
    [InlineData("addDays([iso], [missing])", null)]
    [InlineData("dateDiff('2024-03-15', '2024-01-01')", "-74")]
    [InlineData("dateDiff('2024-03-15T23:00:00', '2024-03-16T01:00:00')", "0")]
    [InlineData("dateDiff('2000-03-16', [iso], 'years')", "23")]
    [InlineData("dateDiff('2000-03-15', [iso], 'years')", "24")]
    [InlineData("dateDiff([iso], '2000-03-15', 'years')", "-24")]
    [InlineData("dateDiff('2024-01-15', '2024-03-14', 'months')", "1")]
    [InlineData("dateDiff('2024-03-15T08:00:00', '2024-03-15T10:30:00', 'minutes')", "150")]
    [InlineData("dateDiff('2024-03-15T08:00:00', '2024-03-15T10:30:00', 'hours')", "2")]
    [InlineData("dateDiff('2024-03-15', '2024-03-15T00:01:40', 'seconds')", "100")]
    [InlineData("dateDiff([missing], '2024-01-01')", null)]
    public void DateFunctions_GiveTheDocumentedResults(string formula, string? expected) =>
        Assert.Equal(expected, Text(formula));

    [Theory]
    [InlineData("round(2.5)", "3")]
    [InlineData("round(-2.5)", "-3")]
    [InlineData("round(1.005, 2)", "1.01")]
    [InlineData("round([amount], 1)", "12.5")]
    [InlineData("round('3.14159', 3)", "3.142")]
    [InlineData("round([missing])", null)]
    [InlineData("floor(2.7)", "2")]
    [InlineData("floor('-0.5')", "-1")]
    [InlineData("floor([missing])", null)]
    [InlineData("ceiling(-2.7)", "-2")]
    [InlineData("ceiling('0.01')", "1")]
    [InlineData("abs('-3')", "3")]
    [InlineData("abs(0)", "0")]
    [InlineData("min([missing], 5, '2')", "2")]
    [InlineData("min([missing], [empty])", null)]
    [InlineData("min(-1)", "-1")]
    [InlineData("max([missing], 5, '2')", "5")]
    [InlineData("max([amount], 12.49)", "12.50")]
    [InlineData("toNumber('1e3')", "1000")]
    [InlineData("toNumber('-0.5')", "-0.5")]
    [InlineData("toNumber([amount]) * 2", "25.00")]
    [InlineData("toNumber([empty])", null)]
    [InlineData("toInteger('-12.7')", "-12")]
    [InlineData("toInteger(' 5 ')", "5")]
    [InlineData("toInteger([missing])", null)]
    [InlineData("isNumber('abc')", "false")]
    [InlineData("isNumber([empty])", "false")]
    [InlineData("isNumber(12)", "true")]
    [InlineData("isNumber([amount])", "true")]
    public void NumberFunctions_GiveTheDocumentedResults(string formula, string? expected) =>
        Assert.Equal(expected, Text(formula));

    [Theory]
    [InlineData("if(1 > 2, 'a', 'b')", "b")]
    [InlineData("if(false, 'a')", null)]
    [InlineData("if([flag], 'y', 'n')", "y")]
    [InlineData("if(true, 'ok', toNumber([bad]))", "ok")]
    [InlineData("if(isEmpty([missing]), 'none', [missing])", "none")]
    [InlineData("in([code], '7', '007')", "true")]
    [InlineData("in('x', 'a')", "false")]
    [InlineData("in(5, '5.0')", "true")]
    [InlineData("in([missing], '', 'a')", "true")]
    [InlineData("case('S', 'G', 'Gold', 'S', 'Silver')", "Silver")]
    [InlineData("case('X', 'G', 'Gold')", null)]
    [InlineData("case('X', 'G', 'Gold', 'Other')", "Other")]
    [InlineData("case(2, 1, 'one', '2', 'two', 'many')", "two")]
    [InlineData("case('G', 'G', 'Gold', 'S', toNumber([bad]))", "Gold")]
    [InlineData("isNull([missing])", "true")]
    [InlineData("isNull([empty])", "false")]
    [InlineData("isNull(null)", "true")]
    public void ConditionalFunctions_GiveTheDocumentedResults(string formula, string? expected) =>
        Assert.Equal(expected, Text(formula));

    [Theory]
    [InlineData("sha256('')", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")]
    [InlineData("sha256('héllo')", "3c48591d8d098a4538f5e013dfcf406e948eac4d3277b10bf614e295d6068179")]
    [InlineData("sha256([amount])", "6d6cc696c282286ecbb59a9456f8e0011c75dacba2739ee494778150e188dae1")]
    [InlineData("sha512('héllo')", "a67e831011aa41ebb2a218c8ff727f1c60d62f06e1681678d176a81cd72ee69e7250c4c943cacbab28e42768615a5c41b6b0d42591d2c26a65670b38e97306dc")]
    [InlineData("sha1('héllo')", "35b5ea45c5e41f78b46a937cc74d41dfea920890")]
    [InlineData("md5('héllo')", "be50e8478cf24ff3595bc7307fb91b50")]
    [InlineData("md5('')", "d41d8cd98f00b204e9800998ecf8427e")]
    [InlineData("sha256([missing])", null)]
    [InlineData("md5([missing])", null)]
    public void HashingFunctions_GiveLowercaseHexOfUtf8(string formula, string? expected) =>
        Assert.Equal(expected, Text(formula));

    [Theory]
    [InlineData("left('abc', -1)", "left: the count must be 0 or more, not -1.")]
    [InlineData("left('abc', 1.5)", "left: the count must be a whole number, not 1.5.")]
    [InlineData("right('abc', [bad])", "right: the count must be a whole number, not 'abc' from column 'bad'.")]
    [InlineData("right('abc', [missing])", "right: the count must be a whole number, not (missing) from column 'missing'.")]
    [InlineData("substring('abc', 0)", "substring: the start must be 1 or more (1 is the first character), not 0.")]
    [InlineData("mid('abc', 1, -2)", "mid: the length must be 0 or more, not -2.")]
    [InlineData("padLeft('1', 3, '00')", "padLeft: the padding must be exactly one character, not '00'.")]
    [InlineData("padRight('1', 3, [empty])", "padRight: the padding must be exactly one character, not '' from column 'empty'.")]
    [InlineData("padLeft('1', 20000)", "padLeft: the width must be 10000 or less, not 20000.")]
    [InlineData("split('a,b', ',', 0)", "split: the index must be 1 or more")]
    [InlineData("split('a,b', '', 1)", "split: the separator is missing.")]
    [InlineData("regexMatch('a', [paren])", "regexMatch: the pattern '(' is not a valid regular expression")]
    [InlineData("formatNumber([bad], '0')", "formatNumber: 'abc' from column 'bad' is not a number.")]
    [InlineData("formatNumber(1, [missing])", "formatNumber: the format is missing.")]
    public void TextFunctions_FailTheRow_OnBadArguments(string formula, string expected) =>
        Assert.StartsWith(expected, RowError(formula).Message, StringComparison.Ordinal);

    [Theory]
    [InlineData("today([zone])", "today: unknown time zone 'Mars/Olympus'")]
    [InlineData("parseDate('31/02/2024', 'dd/MM/yyyy')", "parseDate: '31/02/2024' does not match the format 'dd/MM/yyyy'.")]
    [InlineData("parseDate([name], 'dd/MM/yyyy', 'yyyy-MM-dd')", "parseDate: 'John Smith' from column 'name' does not match any of the formats 'dd/MM/yyyy', 'yyyy-MM-dd'.")]
    [InlineData("parseDate([iso], [missing])", "parseDate: the format is missing.")]
    [InlineData("formatDate([date], 'yyyy')", "formatDate: '15/03/2024' from column 'date' is not a date;")]
    [InlineData("formatDate(12, 'yyyy')", "formatDate: 12 is not a date;")]
    [InlineData("reformatDate([iso], 'dd/MM/yyyy', 'yyyy')", "reformatDate: '2024-03-15' from column 'iso' does not match the format 'dd/MM/yyyy'.")]
    [InlineData("addDays([bad], 1)", "addDays: 'abc' from column 'bad' is not a date;")]
    [InlineData("addDays([iso], 'x')", "addDays: 'x' is not a number.")]
    [InlineData("addDays('9999-12-31', 1)", "addDays: ")]
    [InlineData("dateDiff([iso], [iso], 'weeks')", "dateDiff: unknown unit 'weeks'")]
    [InlineData("dateDiff([bad], [iso])", "dateDiff: 'abc' from column 'bad' is not a date;")]
    public void DateFunctions_FailTheRow_OnBadArguments(string formula, string expected) =>
        Assert.StartsWith(expected, RowError(formula).Message, StringComparison.Ordinal);

    [Theory]
    [InlineData("round('x')", "round: 'x' is not a number.")]
    [InlineData("round(1, 29)", "round: the number of decimals must be between 0 and 28, not 29.")]
    [InlineData("round(1, 0.5)", "round: the number of decimals must be a whole number, not 0.5.")]
    [InlineData("floor([bad])", "floor: 'abc' from column 'bad' is not a number.")]
    [InlineData("ceiling(true)", "ceiling: true is not a number.")]
    [InlineData("abs('1,5')", "abs: '1,5' is not a number.")]
    [InlineData("min(1, 'x')", "min: 'x' is not a number.")]
    [InlineData("max([bad], 1)", "max: 'abc' from column 'bad' is not a number.")]
    [InlineData("toNumber('1,000')", "toNumber: '1,000' is not a number.")]
    [InlineData("toNumber([bad])", "toNumber: 'abc' from column 'bad' is not a number.")]
    [InlineData("toInteger('twelve')", "toInteger: 'twelve' is not a number.")]
    public void NumberFunctions_FailTheRow_OnBadArguments(string formula, string expected) =>
        Assert.Equal(expected, RowError(formula).Message);

    [Theory]
    [InlineData("if([bad], 'a', 'b')", "if: 'abc' from column 'bad' is not true or false.")]
    [InlineData("if([missing], 1, 2)", "if: (missing) from column 'missing' is not true or false.")]
    [InlineData("if(1, 1, 2)", "if: 1 is not true or false.")]
    [InlineData("in(toNumber([bad]), 1)", "toNumber: 'abc' from column 'bad' is not a number.")]
    [InlineData("case(toNumber([bad]), 1, 'a')", "toNumber: 'abc' from column 'bad' is not a number.")]
    [InlineData("sha256(toNumber([bad]))", "toNumber: 'abc' from column 'bad' is not a number.")]
    public void ConditionalAndHashingFunctions_FailTheRow_OnBadArguments(string formula, string expected) =>
        Assert.Equal(expected, RowError(formula).Message);

    [Fact]
    public void RowErrors_NameTheFunctionAndColumn()
    {
        var error = RowError("toNumber([bad])");

        Assert.Equal("toNumber", error.Function);
        Assert.Equal("bad", error.Column);
    }
}
