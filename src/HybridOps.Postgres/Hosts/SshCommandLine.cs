using System.Globalization;

namespace HybridOps.Postgres.Hosts;

/// <summary>
/// Builds the local ssh argv for a host from data, never by string concatenation of options:
/// <c>ssh -T -o BatchMode=yes -o StrictHostKeyChecking=yes [-F cfg] [-o UserKnownHostsFile=f]
/// [-i key -o IdentitiesOnly=yes] [-J jump] -p PORT [-l user] -o ConnectTimeout=N -o ServerAliveInterval=N -o ServerAliveCountMax=3
/// [-o ControlMaster=auto -o ControlPersist=Ns -o ControlPath=DIR/%C] -- ADDRESS REMOTE</c>.
/// </summary>
public static class SshCommandLine
{
    /// <summary>Options and destination (everything before the remote command).</summary>
    public static List<string> Connection(SiteHost host, SshExecutorOptions options, string? controlDirectory)
    {
        ArgumentNullException.ThrowIfNull(host);
        ArgumentNullException.ThrowIfNull(options);
        var argv = new List<string> { options.SshBinary, "-T", "-o", "BatchMode=yes", "-o", "StrictHostKeyChecking=yes" };
        if (host.SshConfigFile is { } config)
        {
            argv.AddRange(["-F", config]);
        }

        if (host.KnownHostsFile is { } knownHosts)
        {
            argv.AddRange(["-o", $"UserKnownHostsFile={knownHosts}"]);
        }

        if (host.IdentityFile is { } identity)
        {
            argv.AddRange(["-i", identity, "-o", "IdentitiesOnly=yes"]);
        }

        if (host.JumpHost is { } jump)
        {
            argv.AddRange(["-J", HostNames.NotAnOption(jump, nameof(host.JumpHost))]);
        }

        argv.AddRange(["-p", host.SshPort.ToString(CultureInfo.InvariantCulture)]);
        if (host.SshUser is { } user)
        {
            argv.AddRange(["-l", HostNames.NotAnOption(user, nameof(host.SshUser))]);
        }

        argv.AddRange(["-o", $"ConnectTimeout={Seconds(options.ConnectTimeout)}",
            "-o", $"ServerAliveInterval={Seconds(options.ServerAliveInterval)}", "-o", "ServerAliveCountMax=3"]);
        if (options.Multiplex && controlDirectory is not null)
        {
            argv.AddRange(["-o", "ControlMaster=auto", "-o", $"ControlPersist={Seconds(options.ControlPersist)}s",
                "-o", $"ControlPath={Path.Combine(controlDirectory, "%C")}"]);
        }

        argv.AddRange(["--", HostNames.NotAnOption(host.Address, nameof(host.Address))]);
        return argv;
    }

    /// <summary>The full argv for <paramref name="command"/> and the text ssh must write to its stdin.</summary>
    public static (List<string> Argv, string? Stdin) For(SiteHost host, SshExecutorOptions options, string? controlDirectory, HostCommand command)
    {
        var remote = RemoteCommand.Build(host, command, options.RemotePath);
        var argv = Connection(host, options, controlDirectory);
        argv.Add(remote.CommandLine);
        return (argv, remote.Stdin);
    }

    /// <summary><c>ssh -O exit</c> for the host's control master (same options, so the same %C).</summary>
    public static List<string> ExitMaster(SiteHost host, SshExecutorOptions options, string controlDirectory)
    {
        var argv = Connection(host, options, controlDirectory);
        argv.InsertRange(1, ["-O", "exit"]);
        return argv;
    }

    private static string Seconds(TimeSpan span) => Math.Max(1, (int)Math.Ceiling(span.TotalSeconds)).ToString(CultureInfo.InvariantCulture);
}
