using ConnectPlus.Engine.Data;
using ConnectPlus.Engine.Expressions;
using static ConnectPlus.Tests.Expressions.FormulaRunner;

namespace ConnectPlus.Tests.Expressions;

/// <summary>The language itself: column references, type rules, operators, compile errors.</summary>
public sealed class FormulaLanguageTests
{
    [Theory]
    [InlineData("[first name]", "John")]
    [InlineData("[FIRST NAME]", "John")]
    [InlineData("{first name}", "John")]
    [InlineData("amount", "12.50")]
    [InlineData("[missing]", null)]
    [InlineData("[empty]", "")]
    [InlineData("null", null)]
    public void Evaluate_ReadsColumnsByName_WithSpacesAndAnyCase(string formula, string? expected) =>
        Assert.Equal(expected, Text(formula));

    [Fact]
    public void Parse_ListsColumnsRead_InOrderOfFirstUse()
    {
        var formula = Formula.Parse("concat([first name], ' ', upper([name]), [First Name])");

        Assert.Equal(["first name", "name"], formula.Columns);
    }

    [Fact]
    public void MissingColumns_ListsColumnsTheSchemaLacks()
    {
        var formula = Formula.Parse("[a] + [b] + [C]");

        Assert.Equal(["b"], formula.MissingColumns(new RecordSchema(["a", "c"])));
        Assert.Throws<ArgumentException>(() => formula.Bind(new RecordSchema(["a", "c"])));
    }

    [Fact]
    public void Evaluate_BindsEachRowsValues_WhenOneCompiledFormulaIsReused()
    {
        var schema = new RecordSchema(["qty", "price"]);
        var bound = Formula.Parse("[qty] * [price]").Bind(schema);

        string?[][] rows = [["2", "1.50"], ["3", "10"], [null, "4"]];

        var results = rows.Select(values => FormulaValues.ToText(bound.Evaluate(values))).ToList();

        Assert.Equal(["3.00", "30", null], results);
    }

    [Theory]
    [InlineData("[amount] * 2", "25.00")]
    [InlineData("[amount] + 1", "13.50")]
    [InlineData("[amount] - 0.5", "12.00")]
    [InlineData("10 / 4", "2.5")]
    [InlineData("1 / 3", "0.3333333333333333333333333333")]
    [InlineData("7 % 3", "1")]
    [InlineData("2 ** 10", "1024")]
    [InlineData("-[amount]", "-12.50")]
    [InlineData("+4", "4")]
    [InlineData("' 3 ' * '1e2'", "300")]
    [InlineData("0.1 + 0.2", "0.3")]
    public void Arithmetic_ReadsNumbersInvariantly_AndComputesInDecimal(string formula, string expected) =>
        Assert.Equal(expected, Text(formula));

    [Theory]
    [InlineData("[missing] * 2")]
    [InlineData("[empty] + 1")]
    [InlineData("'  ' - 1")]
    [InlineData("-[missing]")]
    public void Arithmetic_GivesMissing_WhenAnOperandIsEmpty(string formula) =>
        Assert.Null(Evaluate(formula));

    [Fact]
    public void Arithmetic_FailsTheRow_NamingOperatorColumnAndValue_WhenAnOperandIsNotANumber()
    {
        var error = RowError("[bad] * 2");

        Assert.Equal("Operator '*': 'abc' from column 'bad' is not a number.", error.Message);
        Assert.Equal("bad", error.Column);
        Assert.Equal("*", error.Function);
    }

    [Fact]
    public void Plus_SuggestsConcat_WhenGivenText()
    {
        var error = RowError("[first name] + ' ' + [name]");

        Assert.Contains("'John' from column 'first name' is not a number", error.Message, StringComparison.Ordinal);
        Assert.Contains("use concat(...)", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("1,5 * 2")]
    [InlineData("'1,000' * 2")]
    [InlineData("true * 2")]
    [InlineData("-'x'")]
    public void Arithmetic_RefusesNonNumbers(string formula)
    {
        var error = Assert.ThrowsAny<Exception>(() => Evaluate(formula));

        Assert.True(error is FormulaException or InvalidFormulaException, error.ToString());
    }

    [Theory]
    [InlineData("[amount] / 0", "division by zero")]
    [InlineData("[amount] % 0", "division by zero")]
    [InlineData("79228162514264337593543950335 * 10", "too large")]
    [InlineData("(-8) ** 0.5", "no number result")]
    public void Arithmetic_FailsTheRow_OnImpossibleResults(string formula, string expected) =>
        Assert.Contains(expected, RowError(formula).Message, StringComparison.Ordinal);

    [Theory]
    [InlineData("[amount] > 9", true)]
    [InlineData("[amount] >= 12.5", true)]
    [InlineData("[amount] < 12.5", false)]
    [InlineData("'9' > '10'", false)]
    [InlineData("'abc' < 'abd'", true)]
    [InlineData("'B' > 'a'", false)]
    [InlineData("[missing] > 1", false)]
    [InlineData("[empty] <= 1", false)]
    [InlineData("[iso] < '2024-03-16'", true)]
    [InlineData("parseDate([date], 'dd/MM/yyyy') < today()", false)]
    [InlineData("parseDate([date], 'dd/MM/yyyy') <= today()", true)]
    [InlineData("addDays(today(), -1) < [iso]", true)]
    public void Ordering_ComparesNumbersDatesAndText(string formula, bool expected) =>
        Assert.Equal(expected, Evaluate(formula));

    [Theory]
    [InlineData("[bad] > 1", "Operator '>': cannot compare 'abc' from column 'bad' with a number (1).")]
    [InlineData("today() > [bad]", "Operator '>': cannot compare 'abc' from column 'bad' with a date (2024-03-15).")]
    [InlineData("true > false", "cannot be put in order")]
    public void Ordering_FailsTheRow_WhenValuesCannotBeCompared(string formula, string expected) =>
        Assert.Contains(expected, RowError(formula).Message, StringComparison.Ordinal);

    [Theory]
    [InlineData("[code] = 7", true)]
    [InlineData("[code] = '7'", false)]
    [InlineData("[code] == '007'", true)]
    [InlineData("[name] = 'john smith'", false)]
    [InlineData("[missing] = ''", true)]
    [InlineData("[missing] = null", true)]
    [InlineData("[empty] != null", false)]
    [InlineData("[missing] = 0", false)]
    [InlineData("[bad] = 1", false)]
    [InlineData("true = 'TRUE'", true)]
    [InlineData("[flag] = true", true)]
    [InlineData("[iso] = parseDate([date], 'dd/MM/yyyy')", true)]
    [InlineData("[amount] <> 12.5", false)]
    public void Equality_FollowsTheDocumentedRules_AndNeverFails(string formula, bool expected) =>
        Assert.Equal(expected, Evaluate(formula));

    [Theory]
    [InlineData("[flag] and 1 < 2", true)]
    [InlineData("[flag] && [amount] > 100", false)]
    [InlineData("[amount] > 100 || 'TRUE'", true)]
    [InlineData("not [flag]", false)]
    [InlineData("![flag]", false)]
    [InlineData("false and toNumber([bad]) > 1", false)]
    [InlineData("true or toNumber([bad]) > 1", true)]
    public void Logic_CombinesConditions_AndShortCircuits(string formula, bool expected) =>
        Assert.Equal(expected, Evaluate(formula));

    [Theory]
    [InlineData("[bad] and true", "'and': 'abc' from column 'bad' is not true or false.")]
    [InlineData("not [missing]", "'not': (missing) from column 'missing' is not true or false.")]
    [InlineData("[amount] ? 1 : 2", "'12.50' from column 'amount' is not true or false.")]
    public void Logic_FailsTheRow_WhenAValueIsNotBoolean(string formula, string expected) =>
        Assert.Contains(expected, RowError(formula).Message, StringComparison.Ordinal);

    [Theory]
    [InlineData("[amount] > 10 ? 'big' : 'small'", "big")]
    [InlineData("[code] in ('001', '007')", "true")]
    [InlineData("[code] not in ('007')", "false")]
    [InlineData("[amount] in (12.5)", "true")]
    [InlineData("[name] like 'John%'", "true")]
    [InlineData("[name] like 'J_hn S%'", "true")]
    [InlineData("[name] not like '%x%'", "true")]
    [InlineData("[missing] like '%'", "false")]
    [InlineData("[missing] ?? 'none'", "none")]
    [InlineData("[empty] ?? [first name]", "John")]
    [InlineData("[name] ?? 'none'", "John Smith")]
    public void Operators_InLikeCoalesceAndTernary_Work(string formula, string expected) =>
        Assert.Equal(expected, Text(formula));

    [Theory]
    [InlineData("[amount] * 1", typeof(decimal))]
    [InlineData("[amount] > 1", typeof(bool))]
    [InlineData("today()", typeof(DateTime))]
    [InlineData("upper([name])", typeof(string))]
    public void Evaluate_GivesTypedValues(string formula, Type expected) =>
        Assert.IsType(expected, Evaluate(formula));

    [Theory]
    [InlineData("now()", "2024-03-15T10:30:00Z")]
    [InlineData("today()", "2024-03-15")]
    [InlineData("parseDate('2024-03-15 10:30:00.250', 'yyyy-MM-dd HH:mm:ss.fff')", "2024-03-15T10:30:00.25Z")]
    [InlineData("true", "true")]
    [InlineData("1 = 2", "false")]
    [InlineData("12.50", "12.50")]
    public void EvaluateText_WritesValuesInvariantly(string formula, string expected) =>
        Assert.Equal(expected, Text(formula));

    [Fact]
    public void FunctionNames_AreMatchedIgnoringCase() =>
        Assert.Equal("JOHN", Text("UPPER([first name])"));

    [Fact]
    public void Formulas_MaySpanSeveralLines() =>
        Assert.Equal("big", Text("if(\n  [amount] > 10,\n  'big',\n  'small')"));

    [Theory]
    [InlineData("'it\\'s'", "it's")]
    [InlineData("\"double\"", "double")]
    [InlineData("'a\\\\b'", "a\\b")]
    public void StringLiterals_UseQuotesAndBackslashEscapes(string formula, string expected) =>
        Assert.Equal(expected, Text(formula));

    [Theory]
    [InlineData("[flag]", true)]
    [InlineData("[amount] > 100", false)]
    [InlineData("'FALSE'", false)]
    public void EvaluateCondition_AcceptsBooleansAndTrueFalseText(string formula, bool expected) =>
        Assert.Equal(expected, Formula.Parse(formula).Bind(Schema, FormulaRunner.Environment).EvaluateCondition(Row));

    [Theory]
    [InlineData("[amount]", "The condition must give true or false, but gave '12.50' (text).")]
    [InlineData("[amount] * 2", "The condition must give true or false, but gave 25.00 (a number).")]
    [InlineData("[missing]", "The condition must give true or false, but gave (missing) (a missing value).")]
    public void EvaluateCondition_FailsTheRow_WhenTheResultIsNotBoolean(string formula, string expected)
    {
        var bound = Formula.Parse(formula).Bind(Schema, FormulaRunner.Environment);

        var error = Assert.Throws<FormulaException>(() => bound.EvaluateCondition(Row));

        Assert.Equal(expected, error.Message);
    }

    [Theory]
    [InlineData("upper([name]", "The formula 'upper([name]' is not valid: Parenthesis not closed at character 13.")]
    [InlineData("[a] +", "is not valid:")]
    [InlineData("1 +* 2", "is not valid:")]
    [InlineData("[a] [b]", "at character")]
    [InlineData("'unterminated", "is not valid:")]
    [InlineData("", "the formula is empty.")]
    [InlineData("   ", "the formula is empty.")]
    [InlineData("uper([name])", "there is no function 'uper'. Did you mean 'upper'?")]
    [InlineData("frobnicate(1)", "there is no function 'frobnicate'. The functions are listed in docs/formulas.md.")]
    [InlineData("left('abc')", "left takes 2 arguments: left(text, count); it was given 1.")]
    [InlineData("upper('a', 'b')", "upper takes 1 argument: upper(text); it was given 2.")]
    [InlineData("concat()", "concat takes at least 1 argument: concat(value, ...); it was given 0.")]
    [InlineData("substring('a')", "substring takes 2 to 3 arguments")]
    [InlineData("1 & 2", "bitwise operators")]
    [InlineData("~1", "bitwise operators")]
    [InlineData("5!", "factorial")]
    [InlineData("('a', 'b')", "can only follow 'in'")]
    [InlineData("99999999999999999999999999999999", "is not a value formulas know")]
    [InlineData("regexMatch([name], '(')", "regexMatch: the pattern '(' is not a valid regular expression")]
    [InlineData("today('Mars/Olympus')", "today: unknown time zone 'Mars/Olympus'")]
    public void Parse_ExplainsWhyAFormulaIsNotValid(string formula, string expected) =>
        Assert.Contains(expected, CompileError(formula).Message, StringComparison.Ordinal);

    [Fact]
    public void Parse_ReportsLineAndCharacter_OnLaterLines() =>
        Assert.Contains("at line 2, character", CompileError("[a]\n* (").Message, StringComparison.Ordinal);

    [Fact]
    public void TryParse_GivesTheReason_InsteadOfThrowing()
    {
        Assert.False(Formula.TryParse("upper(", out var formula, out var error));
        Assert.Null(formula);
        Assert.StartsWith("The formula 'upper(' is not valid:", error, StringComparison.Ordinal);

        Assert.True(Formula.TryParse("upper('a')", out formula, out error));
        Assert.Equal("upper('a')", formula.Text);
        Assert.Null(error);
    }
}
