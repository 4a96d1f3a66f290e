using System.Net.Sockets;
using HybridOps.Postgres.Exec;
using HybridOps.Postgres.Hosts;

namespace HybridOps.Integration.Tests.Hosts;

/// <summary>
/// A real sshd for the host executor tests on 127.0.77.1:2222 with its own config, host key,
/// authorized_keys and known_hosts in a private temp dir. Root and postgres may log in with the
/// test's key (UsePAM yes: the postgres account is locked). Started detached, stopped by its pid.
/// </summary>
public sealed class SshdFixture : IAsyncLifetime
{
    public const string Address = "127.0.77.1";
    public const int Port = 2222;

    private readonly LocalProcessRunner _runner = new();
    private int _pid;

    public string Dir { get; } = Path.Combine("/tmp", "hyops-sshd-" + Guid.NewGuid().ToString("N")[..8]);

    public string ClientKey => Path.Combine(Dir, "id_ed25519");

    public string KnownHosts => Path.Combine(Dir, "known_hosts");

    /// <summary>A known_hosts naming another key for the same host.</summary>
    public string WrongKnownHosts => Path.Combine(Dir, "known_hosts.wrong");

    public string Log => Path.Combine(Dir, "sshd.log");

    /// <summary>Root login with the test key; become to postgres through sudo.</summary>
    public SiteHost RootHost => new("ssh-test", Address)
    {
        SshPort = Port, SshUser = "root", IdentityFile = ClientKey, KnownHostsFile = KnownHosts, SshConfigFile = "/dev/null",
    };

    /// <summary>Login as the service user itself, no become.</summary>
    public SiteHost PostgresHost => RootHost with { SshUser = "postgres", Become = BecomeMethod.None };

    public async Task InitializeAsync()
    {
        Directory.CreateDirectory(Dir);
        // Readable by postgres: sshd reads authorized_keys as the logging-in user.
        await RunAsync("chmod", "0755", Dir);
        await RunAsync("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", "hyops-test-host", "-f", Path.Combine(Dir, "host_key"));
        await RunAsync("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", "hyops-test-other", "-f", Path.Combine(Dir, "other_key"));
        await RunAsync("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", "hyops-test-client", "-f", ClientKey);
        File.Copy(ClientKey + ".pub", Path.Combine(Dir, "authorized_keys"));
        await RunAsync("chmod", "0644", Path.Combine(Dir, "authorized_keys"));
        await File.WriteAllTextAsync(KnownHosts, $"[{Address}]:{Port} {await File.ReadAllTextAsync(Path.Combine(Dir, "host_key.pub"))}");
        await File.WriteAllTextAsync(WrongKnownHosts, $"[{Address}]:{Port} {await File.ReadAllTextAsync(Path.Combine(Dir, "other_key.pub"))}");
        await File.WriteAllTextAsync(Path.Combine(Dir, "sshd_config"), $"""
            ListenAddress {Address}:{Port}
            HostKey {Dir}/host_key
            PidFile {Dir}/sshd.pid
            AuthorizedKeysFile {Dir}/authorized_keys
            StrictModes no
            UsePAM yes
            PubkeyAuthentication yes
            PasswordAuthentication no
            KbdInteractiveAuthentication no
            PermitRootLogin prohibit-password
            AllowUsers root postgres
            MaxSessions 50
            MaxStartups 50:30:100
            LogLevel INFO
            # What a login session may carry (exports in a profile, PAM env): the executor must drop it.
            SetEnv PGPASSWORD=from-the-login-session PGHOST=leak.invalid

            """);

        // sshd's privilege separation directory (Debian's service unit creates it).
        Directory.CreateDirectory("/run/sshd");
        _pid = await _runner.StartDetachedAsync(new ProcessSpec("/usr/sbin/sshd", ["-D", "-e", "-f", Path.Combine(Dir, "sshd_config")]), Log, CancellationToken.None);
        for (var i = 0; i < 100; i++)
        {
            if (await ListensAsync())
            {
                return;
            }

            await Task.Delay(50);
        }

        throw new InvalidOperationException($"sshd on {Address}:{Port} did not listen within 5 s: {await File.ReadAllTextAsync(Log)}");
    }

    public async Task DisposeAsync()
    {
        if (_pid > 0)
        {
            await ProcessControl.TerminateAsync(_pid, TimeSpan.FromSeconds(5), CancellationToken.None);
        }

        Directory.Delete(Dir, recursive: true);
    }

    /// <summary>Executor options with a control directory of the test's own (removed on dispose).</summary>
    public static SshExecutorOptions Options(bool multiplex = true) => new() { Multiplex = multiplex, ConnectTimeout = TimeSpan.FromSeconds(5) };

    private static async Task<bool> ListensAsync()
    {
        using var client = new TcpClient();
        try
        {
            await client.ConnectAsync(Address, Port);
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }

    private async Task RunAsync(string file, params string[] args) =>
        (await _runner.RunAsync(new ProcessSpec(file, args, Timeout: TimeSpan.FromSeconds(30)), CancellationToken.None)).EnsureSuccess();
}
