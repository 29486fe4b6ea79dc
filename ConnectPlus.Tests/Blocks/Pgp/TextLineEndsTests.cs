using System.Text;
using ConnectPlus.Engine.Blocks.Pgp;

namespace ConnectPlus.Tests.Blocks.Pgp;

public sealed class TextLineEndsTests
{
    [Theory]
    [InlineData("a\r\nb\r\n", "a\nb\n")]
    [InlineData("a\r|\nb", "a\nb")]
    [InlineData("a\r|b", "a\rb")]
    [InlineData("a\r", "a\r")]
    [InlineData("a\r|", "a\r")]
    [InlineData("\r\r\n|\r", "\r\n\r")]
    [InlineData("no line ends|at all", "no line endsat all")]
    [InlineData("x\n\r|\r\ny", "x\n\r\ny")]
    public void Convert_TurnsCrLfIntoLf_AcrossChunks(string chunks, string expected)
    {
        var lineEnds = new TextLineEnds();
        var output = new StringBuilder();

        foreach (var chunk in chunks.Split('|'))
        {
            var bytes = Encoding.ASCII.GetBytes(chunk);
            var (leadingCr, length) = lineEnds.Convert(bytes);
            if (leadingCr) output.Append('\r');
            output.Append(Encoding.ASCII.GetString(bytes, 0, length));
        }
        if (lineEnds.Finish()) output.Append('\r');

        Assert.Equal(expected, output.ToString());
    }
}
