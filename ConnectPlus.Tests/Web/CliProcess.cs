using System.Diagnostics;
using System.Text;

namespace ConnectPlus.Tests.Web;

/// <summary>
/// The CLI as a child process (<c>dotnet ConnectPlus.Web.dll …</c>, the build beside the tests), with its
/// output collected as it comes: what a person or a scheduler runs, environment variables included.
/// </summary>
internal sealed class CliProcess : IDisposable
{
    private readonly StringBuilder _output = new();

    private CliProcess(Process process)
    {
        Process = process;
        process.OutputDataReceived += (_, e) => Append(e.Data);
        process.ErrorDataReceived += (_, e) => Append(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
    }

    public Process Process { get; }

    /// <summary>Standard output and error, interleaved as they came.</summary>
    public string Output
    {
        get { lock (_output) return _output.ToString(); }
    }

    /// <summary>
    /// Starts the app with these arguments (a verb runs the CLI; none starts the web host) and extra environment
    /// variables, in <paramref name="workingDirectory"/> when given (where ./data and ./runs land by default).
    /// </summary>
    /// <param name="app">The app's ConnectPlus.Web.dll: by default the build beside the tests (a published copy, for instance).</param>
    public static CliProcess Start(IEnumerable<string> arguments, IReadOnlyDictionary<string, string>? environment = null, string? workingDirectory = null, string? app = null)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        if (workingDirectory is not null) start.WorkingDirectory = workingDirectory;
        start.ArgumentList.Add(app ?? Path.Combine(AppContext.BaseDirectory, "ConnectPlus.Web.dll"));
        foreach (var argument in arguments) start.ArgumentList.Add(argument);
        foreach (var (name, value) in environment ?? new Dictionary<string, string>()) start.Environment[name] = value;
        return new CliProcess(Process.Start(start)!);
    }

    /// <summary>Runs the CLI to its end (killed after <paramref name="timeout"/>); returns its exit code and output.</summary>
    public static async Task<(int Code, string Output)> RunAsync(IEnumerable<string> arguments, IReadOnlyDictionary<string, string>? environment, TimeSpan timeout)
    {
        using var run = Start(arguments, environment);
        try
        {
            await run.Process.WaitForExitAsync().WaitAsync(timeout);
        }
        catch (TimeoutException)
        {
            throw new TimeoutException($"The CLI did not end within {timeout}:{Environment.NewLine}{run.Output}");
        }
        // The asynchronous readers may still be delivering the last lines.
        run.Process.WaitForExit();
        return (run.Process.ExitCode, run.Output);
    }

    public void Dispose()
    {
        if (!Process.HasExited)
        {
            Process.Kill(entireProcessTree: true);
            Process.WaitForExit();
        }
        Process.Dispose();
    }

    private void Append(string? line)
    {
        if (line is null) return;
        lock (_output) _output.AppendLine(line);
    }
}
