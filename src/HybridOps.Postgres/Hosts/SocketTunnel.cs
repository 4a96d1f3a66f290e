using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;

namespace HybridOps.Postgres.Hosts;

/// <summary>
/// A PostgreSQL unix socket of a host, reachable at 127.0.0.1:<see cref="Port"/> on this machine: each
/// accepted connection opens an ssh channel that runs a small relay as the service user on the host
/// (python3, which every Patroni host has). The server sees a `local` connection from the service
/// user, so `peer` authentication and a fence that rejects every TCP client both leave it working,
/// as `sudo -u postgres psql` on the host would. Only this machine's loopback listens.
/// </summary>
public sealed class SocketTunnel : IAsyncDisposable
{
    // Copies stdin to the socket and the socket to stdout; ends when the server closes.
    private const string Relay =
        "import os,socket,sys,threading\n"
        + "s=socket.socket(socket.AF_UNIX);s.connect(sys.argv[1])\n"
        + "def up():\n"
        + "  while True:\n"
        + "    d=os.read(0,65536)\n"
        + "    if not d: break\n"
        + "    s.sendall(d)\n"
        + "  s.shutdown(socket.SHUT_WR)\n"
        + "threading.Thread(target=up,daemon=True).start()\n"
        + "o=sys.stdout.buffer\n"
        + "while True:\n"
        + "  d=s.recv(65536)\n"
        + "  if not d: break\n"
        + "  o.write(d);o.flush()\n";

    // Keyed by everything that says how the host is reached (the SiteHost record: address, port, user, jump
    // host, identity, known_hosts, ssh_config) and the socket: the same name and address of another site, or
    // behind another jump host, is another host and never gets this one's channel.
    private static readonly ConcurrentDictionary<(SiteHost Host, string Socket), Lazy<SocketTunnel>> Open = new();
    private readonly SshHostExecutor _executor;
    private readonly HostCommand _relay;
    private readonly TcpListener _listener;
    private readonly CancellationTokenSource _stop = new();
    private readonly ConcurrentDictionary<int, Task> _connections = new();
    private readonly ConcurrentDictionary<int, Exec.ProcessPipe> _pipes = new();
    private readonly Task _accepting;
    private int _next;

    private SocketTunnel(SiteHost host, string socketPath)
    {
        _executor = new SshHostExecutor(host);
        _relay = new HostCommand(["python3", "-c", Relay, socketPath]) { RunAs = host.ServiceUser };
        _listener = new TcpListener(IPAddress.Loopback, 0);
        _listener.Start();
        Port = ((IPEndPoint)_listener.LocalEndpoint).Port;
        _accepting = AcceptAsync();
    }

    public int Port { get; }

    /// <summary>
    /// The tunnel to <paramref name="socketPath"/> on <paramref name="host"/>, opened once per process
    /// and closed when the process exits: its ssh channels are killed and its multiplexed connection
    /// is closed, so nothing of it outlives hyops.
    /// </summary>
    public static SocketTunnel To(SiteHost host, string socketPath)
    {
        ArgumentNullException.ThrowIfNull(host);
        var key = (host, socketPath);
        if (Interlocked.Exchange(ref _exitHook, 1) == 0)
        {
            AppDomain.CurrentDomain.ProcessExit += (_, _) => CloseAll();
        }

        return Open.GetOrAdd(key, _ => new Lazy<SocketTunnel>(() => new SocketTunnel(host, socketPath))).Value;
    }

    private static int _exitHook;

    /// <summary>Closes every tunnel of this process (also run at process exit).</summary>
    public static void CloseAll()
    {
        foreach (var key in Open.Keys.ToList())
        {
            if (Open.TryRemove(key, out var lazy) && lazy.IsValueCreated)
            {
                lazy.Value.DisposeAsync().AsTask().Wait(TimeSpan.FromSeconds(15));
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        foreach (var pipe in _pipes.Values)
        {
            pipe.Kill();
        }

        try
        {
            await _accepting;
        }
        catch (OperationCanceledException)
        {
        }

        await Task.WhenAll(_connections.Values);
        await _executor.DisposeAsync();
        _stop.Dispose();
    }

    private async Task AcceptAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            TcpClient client;
            try
            {
                client = await _listener.AcceptTcpClientAsync(_stop.Token);
            }
            catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
            {
                return;
            }

            var id = Interlocked.Increment(ref _next);
            _connections[id] = Task.Run(async () =>
            {
                try
                {
                    await PumpAsync(client);
                }
                finally
                {
                    _connections.TryRemove(id, out _);
                }
            });
        }
    }

    private async Task PumpAsync(TcpClient client)
    {
        using (client)
        {
            await using var pipe = _executor.OpenPipe(_relay);
            var id = Interlocked.Increment(ref _next);
            _pipes[id] = pipe;
            var stream = client.GetStream();
            var up = CopyAsync(stream, pipe.Input, close: pipe.Input);
            var down = CopyAsync(pipe.Output, stream, close: null);
            await Task.WhenAny(up, down);
            _pipes.TryRemove(id, out _);
            client.Client.Shutdown(SocketShutdown.Both);
        }
    }

    private async Task CopyAsync(Stream from, Stream to, Stream? close)
    {
        try
        {
            await from.CopyToAsync(to, 65536, _stop.Token);
        }
        catch (Exception e) when (e is IOException or OperationCanceledException or ObjectDisposedException or SocketException)
        {
        }
        finally
        {
            close?.Close();
        }
    }
}
