using ConnectPlus.Engine.Connectors;
using ConnectPlus.Engine.Runtime;

namespace ConnectPlus.Engine.Blocks.Api;

/// <summary>
/// One API client per run and connection, shared by the blocks of the run that use the connection
/// (one token, one connection pool). A block takes a lease when it starts and returns it when it ends;
/// the last one out disposes the client. The HTTP handler comes from <c>RunOptions.Services</c> when the
/// host gives one (tests); otherwise each client has its own.
/// </summary>
internal static class RunApiClients
{
    private static readonly Lock Gate = new();
    private static readonly Dictionary<(string RunId, string Connection), Entry> Clients = [];

    /// <summary>The run's client for a connection, created by <paramref name="create"/> the first time.</summary>
    public static Lease Acquire(BlockContext context, string connection, Func<HttpMessageHandler?, IApiClient> create)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(create);
        var key = (context.RunId, connection.ToUpperInvariant());
        lock (Gate)
        {
            if (!Clients.TryGetValue(key, out var entry))
            {
                var handler = context.Services?.GetService(typeof(HttpMessageHandler)) as HttpMessageHandler;
                Clients[key] = entry = new Entry(create(handler));
            }
            entry.Users++;
            return new Lease(key, entry.Client);
        }
    }

    private static void Release((string, string) key)
    {
        IApiClient? last = null;
        lock (Gate)
        {
            if (!Clients.TryGetValue(key, out var entry)) return;
            if (--entry.Users > 0) return;
            Clients.Remove(key);
            last = entry.Client;
        }
        last.Dispose();
    }

    private sealed class Entry(IApiClient client)
    {
        public IApiClient Client { get; } = client;
        public int Users { get; set; }
    }

    /// <summary>A block's use of the shared client; dispose it when the block ends.</summary>
    public sealed class Lease : IDisposable
    {
        private readonly (string, string) _key;
        private int _released;

        internal Lease((string, string) key, IApiClient client)
        {
            _key = key;
            Client = client;
        }

        public IApiClient Client { get; }

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _released, 1) == 0) Release(_key);
        }
    }
}
