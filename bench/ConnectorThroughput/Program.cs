// Measures MB/s of reading and writing one large file through the SFTP, FTP and S3 locations, and through
// scp and sftp (OpenSSH) on the same sshd, all on loopback. Numbers, not pass/fail.
// Needs the test servers: scripts/test-servers.sh start && source artifacts/servers/env.sh
//   dotnet run -c Release --project bench/ConnectorThroughput -- [size MB = 200] [runs = 3] [only: sftp|ftp|ftps|s3]
using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;
using ConnectPlus.Engine.Connectors;
using ConnectPlus.Engine.Connectors.Ftp;
using ConnectPlus.Engine.Connectors.S3;
using ConnectPlus.Engine.Connectors.Sftp;

var sizeMb = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 200;
var runs = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 3;
var only = args.Length > 2 ? args[2] : null;
string Env(string name) => Environment.GetEnvironmentVariable(name)
    ?? throw new InvalidOperationException($"{name} is not set: run scripts/test-servers.sh start and source artifacts/servers/env.sh.");

var work = Path.Combine(Path.GetTempPath(), "connectplus-bench-connectors");
Directory.CreateDirectory(work);
var source = Path.Combine(work, $"source-{sizeMb}mb.bin");
if (!File.Exists(source) || new FileInfo(source).Length != sizeMb * (1L << 20))
{
    await using var file = File.Create(source);
    var block = new byte[1 << 20];
    for (var i = 0; i < sizeMb; i++)
    {
        RandomNumberGenerator.Fill(block);
        await file.WriteAsync(block);
    }
}
var remoteFolder = "bench-" + Guid.NewGuid().ToString("N")[..8];
var home = Env("CONNECTPLUS_TEST_HOME");
Directory.CreateDirectory(Path.Combine(home, "upload", remoteFolder));
// The servers sign in as the test account, not root: it must write in the folder root made.
if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(Path.Combine(home, "upload", remoteFolder), (UnixFileMode)0b111_111_111);

var locations = new (string Name, Func<IFileLocation> Open)[]
{
    ("SFTP location", () => new SftpFileLocation(new SftpConnectionSettings
    {
        Host = "127.0.0.1", Port = int.Parse(Env("CONNECTPLUS_TEST_SFTP_PORT"), CultureInfo.InvariantCulture),
        Username = Env("CONNECTPLUS_TEST_USER"), Password = Env("CONNECTPLUS_TEST_PASSWORD"), RootFolder = "upload/" + remoteFolder,
    })),
    ("FTP location", () => new FtpFileLocation(new FtpConnectionSettings
    {
        Host = "127.0.0.1", Port = int.Parse(Env("CONNECTPLUS_TEST_FTP_PORT"), CultureInfo.InvariantCulture),
        Username = Env("CONNECTPLUS_TEST_USER"), Password = Env("CONNECTPLUS_TEST_PASSWORD"), RootFolder = "upload/" + remoteFolder,
    })),
    ("FTPS location", () => new FtpFileLocation(new FtpConnectionSettings
    {
        Host = "127.0.0.1", Port = int.Parse(Env("CONNECTPLUS_TEST_FTPS_PORT"), CultureInfo.InvariantCulture), Tls = FtpTls.Explicit,
        AcceptCertificateThumbprint = Env("CONNECTPLUS_TEST_FTPS_THUMBPRINT"),
        Username = Env("CONNECTPLUS_TEST_USER"), Password = Env("CONNECTPLUS_TEST_PASSWORD"), RootFolder = "upload/" + remoteFolder,
    })),
    ("S3 location (s3rver)", () => new S3FileLocation(new S3ConnectionSettings
    {
        Bucket = Env("CONNECTPLUS_TEST_S3_BUCKET"), ServiceUrl = Env("CONNECTPLUS_TEST_S3_URL"), ForcePathStyle = true,
        AccessKeyId = Env("CONNECTPLUS_TEST_S3_ACCESS_KEY"), SecretAccessKey = Env("CONNECTPLUS_TEST_S3_SECRET_KEY"), Prefix = remoteFolder,
    })),
};

Console.WriteLine($"{sizeMb} MB file, best of {runs} runs, loopback; MB = 2^20 bytes");
Console.WriteLine($"{"",-24} {"write MB/s",10} {"read MB/s",10}");
foreach (var (name, open) in locations.Where(l => only is null || l.Name.StartsWith(only, StringComparison.OrdinalIgnoreCase)))
{
    double bestWrite = 0, bestRead = 0;
    for (var run = 0; run < runs; run++)
    {
        await using var location = open();
        await location.TestAsync(CancellationToken.None);
        var watch = Stopwatch.StartNew();
        await using (var input = new FileStream(source, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, FileOptions.Asynchronous | FileOptions.SequentialScan))
            await location.WriteAsync("bench.bin", input, ConflictMode.Replace, CancellationToken.None);
        bestWrite = Math.Max(bestWrite, sizeMb / watch.Elapsed.TotalSeconds);
        watch.Restart();
        await using (var stream = await location.OpenReadAsync("bench.bin", CancellationToken.None))
            await stream.CopyToAsync(Stream.Null);
        bestRead = Math.Max(bestRead, sizeMb / watch.Elapsed.TotalSeconds);
        await location.DeleteAsync("bench.bin", CancellationToken.None);
    }
    Console.WriteLine($"{name,-24} {bestWrite,10:F1} {bestRead,10:F1}");
}

// The OpenSSH tools on the same server, signed in with the test key.
var sshOptions = new[] { "-o", "StrictHostKeyChecking=no", "-o", "UserKnownHostsFile=/dev/null", "-o", "LogLevel=ERROR", "-i", Env("CONNECTPLUS_TEST_SFTP_KEY") };
var target = $"{Env("CONNECTPLUS_TEST_USER")}@127.0.0.1";
var port = Env("CONNECTPLUS_TEST_SFTP_PORT");
var back = Path.Combine(work, "back.bin");
double Time(string file, params string[] arguments)
{
    var start = new ProcessStartInfo(file) { RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true };
    foreach (var argument in arguments) start.ArgumentList.Add(argument);
    var watch = Stopwatch.StartNew();
    using var process = Process.Start(start)!;
    process.StandardInput.Close();
    var error = process.StandardError.ReadToEnd();
    process.WaitForExit();
    if (process.ExitCode != 0) throw new InvalidOperationException($"{file} failed: {error}");
    return sizeMb / watch.Elapsed.TotalSeconds;
}
double Best(Func<double> measure) => Enumerable.Range(0, runs).Max(_ => measure());
var remote = $"upload/{remoteFolder}/cli.bin";
var scpWrite = Best(() => Time("scp", [.. sshOptions, "-P", port, source, $"{target}:{remote}"]));
var scpRead = Best(() => Time("scp", [.. sshOptions, "-P", port, $"{target}:{remote}", back]));
var batch = Path.Combine(work, "batch.txt");
File.WriteAllText(batch, $"put {source} {remote}\n");
var sftpWrite = Best(() => Time("sftp", [.. sshOptions, "-P", port, "-b", batch, target]));
File.WriteAllText(batch, $"get {remote} {back}\n");
var sftpRead = Best(() => Time("sftp", [.. sshOptions, "-P", port, "-b", batch, target]));
Console.WriteLine($"{"scp (OpenSSH)",-24} {scpWrite,10:F1} {scpRead,10:F1}");
Console.WriteLine($"{"sftp (OpenSSH)",-24} {sftpWrite,10:F1} {sftpRead,10:F1}");
Console.WriteLine("(the OpenSSH rows include process start and key exchange, ~0.1 s; scp/sftp read into a local file, the locations into Stream.Null)");
File.Delete(back);
Directory.Delete(Path.Combine(home, "upload", remoteFolder), recursive: true);
