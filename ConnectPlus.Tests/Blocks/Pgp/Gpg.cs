using System.Diagnostics;
using ConnectPlus.Tests.Harness;

namespace ConnectPlus.Tests.Blocks.Pgp;

/// <summary>
/// The real GnuPG (what brands use), run with a keyring of its own in a temporary folder. test.sh
/// installs it (Debian package gnupg); a missing gpg fails the test that needs it, saying so.
/// </summary>
public sealed class Gpg : IDisposable
{
    private readonly TempFolder _home = new();

    public Gpg()
    {
        // gpg refuses a home folder others can read.
        if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(_home.Path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
    }

    /// <summary>The temporary folder, for files handed to gpg.</summary>
    public TempFolder Folder => _home;

    /// <summary>Runs gpg non-interactively (passphrases given on the command line); returns its standard output, fails with its error output.</summary>
    public async Task<string> RunAsync(params string[] arguments)
    {
        var start = new ProcessStartInfo("gpg")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in (string[])["--homedir", _home.Path, "--batch", "--yes", "--no-tty", "--pinentry-mode", "loopback", "--trust-model", "always", .. arguments])
            start.ArgumentList.Add(argument);
        Process process;
        try
        {
            process = Process.Start(start)!;
        }
        catch (System.ComponentModel.Win32Exception ex)
        {
            throw new InvalidOperationException("gpg is not installed: test.sh installs it (apt-get install gnupg).", ex);
        }
        using (process)
        {
            var output = process.StandardOutput.ReadToEndAsync();
            var error = process.StandardError.ReadToEndAsync();
            await process.WaitForExitAsync();
            if (process.ExitCode != 0) throw new InvalidOperationException($"gpg {string.Join(' ', arguments)} failed ({process.ExitCode}): {await error}");
            return await output;
        }
    }

    /// <summary>Imports an armored key (a private key needs its passphrase).</summary>
    public Task ImportAsync(string armoredKey, string? passphrase = null)
    {
        var path = _home.Write($"import-{Guid.NewGuid():N}.asc", armoredKey);
        return passphrase is null ? RunAsync("--import", path) : RunAsync("--passphrase", passphrase, "--import", path);
    }

    public void Dispose()
    {
        // Stop the agent gpg started for this home folder before removing it.
        try
        {
            using var kill = Process.Start(new ProcessStartInfo("gpgconf", ["--homedir", _home.Path, "--kill", "all"]) { UseShellExecute = false, RedirectStandardError = true });
            kill?.WaitForExit(10_000);
        }
        catch (System.ComponentModel.Win32Exception)
        {
            // No gpgconf means no gpg, so no agent to stop.
        }
        _home.Dispose();
    }
}
