using System.Net.Sockets;
using HybridOps.Core.Diagnostics;
using HybridOps.Postgres.Exec;

namespace HybridOps.Lab.Hosts;

/// <summary>
/// A host is ready when its sshd accepts a TCP connection on :22 and `ssh -F ssh_config host true`
/// succeeds with the lab's key and strict host-key checking, exactly as hyops will reach it.
/// </summary>
internal sealed class LabHostReadiness(IProcessRunner runner, TimeProvider time)
{
    private static readonly TimeSpan Poll = TimeSpan.FromMilliseconds(20);

    public async Task WaitAsync(LabHostPaths paths, LabHostRecord host, TimeSpan timeout, CancellationToken ct)
    {
        var start = time.GetTimestamp();
        string? lastError = null;
        while (time.GetElapsedTime(start) < timeout)
        {
            if (!LabHostProcesses.IsRunning(host))
            {
                lastError = "its init exited";
                break;
            }

            if (await AcceptsAsync(host.Address, ct))
            {
                var probe = await runner.RunAsync(SshSpec(paths, host.Name, "true"), ct);
                if (probe.Succeeded)
                {
                    return;
                }

                lastError = probe.StdErr.Trim();
            }

            await Task.Delay(Poll, time, ct);
        }

        throw HyopsException.From(DiagnosticCatalog.LabHostNotReady,
            $"lab host {host.Name} ({host.Address}) did not answer ssh within {timeout.TotalSeconds:0} s"
            + (lastError is null ? "" : $": {lastError}") + $"; console: {paths.ConsoleLog(host.Name)}");
    }

    /// <summary>`ssh -F ssh_config NAME COMMAND...`: how hyops (and the tests) reach a lab host.</summary>
    public static ProcessSpec SshSpec(LabHostPaths paths, string hostName, params string[] command) =>
        new("ssh", ["-F", paths.SshConfigFile, "-o", "ConnectTimeout=5", hostName, .. command],
            WorkingDirectory: "/", Timeout: TimeSpan.FromSeconds(20));

    private static async Task<bool> AcceptsAsync(string address, CancellationToken ct)
    {
        using var client = new TcpClient();
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(TimeSpan.FromSeconds(1));
        try
        {
            await client.ConnectAsync(address, 22, timeout.Token);
            return true;
        }
        catch (Exception e) when (e is SocketException || (e is OperationCanceledException && !ct.IsCancellationRequested))
        {
            return false;
        }
    }
}
