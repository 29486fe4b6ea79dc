using ConnectPlus.Engine.Blocks.Api;
using ConnectPlus.Tests.Harness;

namespace ConnectPlus.Tests.Blocks.Api;

public sealed class PayloadDocsTests
{
    private const string ReferenceStart = "<!-- payload-templates:start (generated from PayloadTemplates.All; see PayloadDocsTests) -->";
    private const string ReferenceEnd = "<!-- payload-templates:end -->";

    [Fact]
    public void PayloadPage_HasTheGeneratedEndpointReference()
    {
        var path = Path.Combine(TestRepository.Root, "docs", "build-api-payload.md");
        var page = File.ReadAllText(path).ReplaceLineEndings("\n");
        var generated = PayloadTemplates.ReferenceMarkdown();
        var start = page.IndexOf(ReferenceStart, StringComparison.Ordinal);
        var end = page.IndexOf(ReferenceEnd, StringComparison.Ordinal);
        Assert.True(start >= 0 && end > start, $"docs/build-api-payload.md must contain the markers {ReferenceStart} and {ReferenceEnd}.");
        var current = page[(start + ReferenceStart.Length)..end].Trim('\n') + "\n";

        if (current != generated && Environment.GetEnvironmentVariable("CONNECTPLUS_UPDATE_DOCS") == "1")
        {
            File.WriteAllText(path, page[..(start + ReferenceStart.Length)] + "\n\n" + generated + "\n" + page[end..]);
            current = generated;
        }

        Assert.True(current == generated, "docs/build-api-payload.md is out of date with PayloadTemplates.All. Run the tests once with CONNECTPLUS_UPDATE_DOCS=1 to regenerate the reference section.");
    }

    [Fact]
    public void ReferenceMarkdown_ListsEveryFieldOfEveryTemplate_WithHowItIsWritten()
    {
        var markdown = PayloadTemplates.ReferenceMarkdown();

        Assert.All(PayloadTemplates.All.SelectMany(t => t.Fields), f => Assert.Contains($"| `{f.Path}` |", markdown, StringComparison.Ordinal));
        Assert.Contains("| `billAmount` | number | yes | JSON string |", markdown, StringComparison.Ordinal);
        Assert.Contains("| `lineItemsV2[].qty` | number |  | JSON number |", markdown, StringComparison.Ordinal);
        Assert.Contains("| `identifierValue` | text | yes when type is REGULAR or RETURN | JSON string |", markdown, StringComparison.Ordinal);
        Assert.Contains("| `extended_fields.<name>` | text (names of your choice) |  | `{\"field\": [{\"name\": …, \"value\": …}]}` |", markdown, StringComparison.Ordinal);
    }
}
