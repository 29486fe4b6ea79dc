using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace ConnectPlus.Tests.Connectors;

/// <summary>
/// A server instance a test starts for itself on a spare loopback port, to stop it in the middle of a
/// transfer. It serves the same files as the shared instance (same account, same disk) unless said otherwise.
/// Stopping kills the process and its children (the per-connection processes of sshd and vsftpd).
/// </summary>
public sealed class PrivateServer : IDisposable
{
    private readonly string _name;
    private readonly string _file;
    private readonly string[] _arguments;
    private Process? _process;

    private readonly string? _ownFolder;

    private PrivateServer(string name, string file, string[] arguments, int port, string? ownFolder = null)
    {
        _ownFolder = ownFolder;
        _name = name;
        _file = file;
        _arguments = arguments;
        Port = port;
    }

    public int Port { get; }

    public static PrivateServer Sshd(int port) =>
        new("sshd", "/usr/sbin/sshd", ["-D", "-e", "-f", TestServers.SshdConfig, "-o", $"Port={port}"], port);

    public static PrivateServer Vsftpd(string config, int port)
    {
        var passive = FreePortRange();
        return new("vsftpd", "/usr/sbin/vsftpd",
            [config, $"-olisten_port={port}", $"-opasv_min_port={passive}", $"-opasv_max_port={passive + 9}"], port);
    }

    /// <summary>An s3rver with its own, new storage folder (removed on dispose) and the test bucket.</summary>
    public static PrivateServer S3rver(int port)
    {
        var folder = Path.Combine(Path.GetTempPath(), "connectplus-s3rver-" + Guid.NewGuid().ToString("N")[..12]);
        Directory.CreateDirectory(folder);
        return new("s3rver", "node", [TestServers.S3rverScript, "--address", TestServers.Host, "--port", $"{port}",
            "--directory", folder, "--configure-bucket", TestServers.S3Bucket, "--silent"], port, folder);
    }

    /// <summary>Starts the server and waits until its port answers.</summary>
    public PrivateServer Start()
    {
        var start = new ProcessStartInfo(_file) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in _arguments) start.ArgumentList.Add(argument);
        _process = Process.Start(start) ?? throw new InvalidOperationException($"Could not start {_name}.");
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
        var deadline = DateTime.UtcNow.AddSeconds(15);
        while (DateTime.UtcNow < deadline)
        {
            if (_process.HasExited) throw new InvalidOperationException($"{_name} on port {Port} exited at once with code {_process.ExitCode}.");
            try
            {
                using var probe = new TcpClient();
                probe.Connect(TestServers.Host, Port);
                return this;
            }
            catch (SocketException)
            {
                Thread.Sleep(50);
            }
        }
        throw new InvalidOperationException($"{_name} did not answer on port {Port} within 15 s.");
    }

    /// <summary>Kills the server and every process it started (its open connections die with them).</summary>
    public void Kill()
    {
        if (_process is null) return;
        if (!_process.HasExited) _process.Kill(entireProcessTree: true);
        _process.WaitForExit();
        _process.Dispose();
        _process = null;
    }

    public void Dispose()
    {
        Kill();
        if (_ownFolder is not null && Directory.Exists(_ownFolder)) Directory.Delete(_ownFolder, recursive: true);
    }

    /// <summary>A loopback port nothing listens on (free a moment ago).</summary>
    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static int _nextPassive = 31000 + Environment.ProcessId % 50 * 100;

    private static int FreePortRange() => Interlocked.Add(ref _nextPassive, 10) - 10;
}
