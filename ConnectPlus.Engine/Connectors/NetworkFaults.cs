using System.Net.Sockets;

namespace ConnectPlus.Engine.Connectors;

/// <summary>What a socket error means to a user, the same for every protocol.</summary>
internal static class NetworkFaults
{
    public static (ConnectionFailure Failure, string Reason) Classify(SocketException exception, string host, int port) => exception.SocketErrorCode switch
    {
        SocketError.HostNotFound or SocketError.NoData or SocketError.TryAgain or SocketError.NoRecovery =>
            (ConnectionFailure.NameNotResolved, $"the host name '{host}' does not resolve. Check 'host' (and the machine's DNS)."),
        SocketError.ConnectionRefused =>
            (ConnectionFailure.Refused, $"nothing accepts connections on {host}:{port}. Check 'host' and 'port', and that the server runs."),
        SocketError.TimedOut =>
            (ConnectionFailure.Timeout, $"{host}:{port} did not answer in time (a firewall may drop the traffic)."),
        SocketError.NetworkUnreachable or SocketError.HostUnreachable or SocketError.HostDown or SocketError.NetworkDown =>
            (ConnectionFailure.Timeout, $"{host}:{port} cannot be reached from this machine ({exception.SocketErrorCode})."),
        _ => (ConnectionFailure.ConnectionLost, $"the connection to {host}:{port} failed ({exception.SocketErrorCode}: {exception.Message})."),
    };

    /// <summary>The socket error inside an exception, if any.</summary>
    public static SocketException? Find(Exception exception)
    {
        for (Exception? e = exception; e is not null; e = e.InnerException)
        {
            if (e is SocketException socket) return socket;
        }
        return null;
    }
}
