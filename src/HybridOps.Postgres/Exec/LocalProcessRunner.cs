using System.Diagnostics;
using System.Globalization;
using System.Text;

namespace HybridOps.Postgres.Exec;

/// <summary>
/// <see cref="IProcessRunner"/> for the local machine. This is the one type that creates OS
/// processes (via <see cref="Process"/> instances; the static Process.Start overloads are banned
/// elsewhere). User switching follows <see cref="UserSwitch"/>: setpriv when root, direct otherwise.
/// The child's environment is explicit (<see cref="ChildEnvironment"/>), never inherited.
/// </summary>
public sealed class LocalProcessRunner(TimeProvider? time = null) : IProcessRunner
{
    private readonly TimeProvider _time = time ?? TimeProvider.System;

    public Task<ProcessResult> RunAsync(ProcessSpec spec, CancellationToken ct) => RunCoreAsync(spec, onLine: null, ct);

    public Task<ProcessResult> RunStreamingAsync(ProcessSpec spec, Action<string> onLine, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(onLine);
        return RunCoreAsync(spec, onLine, ct);
    }

    private async Task<ProcessResult> RunCoreAsync(ProcessSpec spec, Action<string>? onLine, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(spec);
        var argv = UserSwitch.BuildArgv(spec);
        using var process = new Process { StartInfo = CreateStartInfo(argv, spec) };
        using var timeoutCts = spec.Timeout is { } limit ? new CancellationTokenSource(limit, _time) : new CancellationTokenSource();
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(ct, timeoutCts.Token);

        var started = _time.GetTimestamp();
        process.Start();
        var gate = new object();
        var stdout = ReadAsync(process.StandardOutput, onLine, gate);
        var stderr = ReadAsync(process.StandardError, onLine, gate);
        try
        {
            await WriteStdinAsync(process, spec.StdinText, linked.Token);
            await process.WaitForExitAsync(linked.Token);
        }
        catch (OperationCanceledException)
        {
            // Kill the tree so a cancelled psql/pg_basebackup does not linger holding connections.
            KillTree(process);
            if (timeoutCts.IsCancellationRequested && !ct.IsCancellationRequested)
            {
                throw new TimeoutException($"'{string.Join(' ', argv)}' did not finish within {spec.Timeout}.");
            }

            throw;
        }

        return new ProcessResult(process.ExitCode, await stdout, await stderr, _time.GetElapsedTime(started), argv);
    }

    /// <summary>
    /// Starts a process with binary stdin/stdout for the caller to pump (stderr is drained and dropped);
    /// <paramref name="preamble"/> is written to stdin first (e.g. a remote preamble's lines).
    /// </summary>
    public static ProcessPipe StartPipe(ProcessSpec spec, string? preamble = null)
    {
        ArgumentNullException.ThrowIfNull(spec);
        var argv = UserSwitch.BuildArgv(spec);
        var process = new Process { StartInfo = CreateStartInfo(argv, spec) };
        process.Start();
        _ = process.StandardError.ReadToEndAsync(CancellationToken.None);
        if (preamble is { Length: > 0 })
        {
            var bytes = Encoding.UTF8.GetBytes(preamble);
            process.StandardInput.BaseStream.Write(bytes);
            process.StandardInput.BaseStream.Flush();
        }

        return new ProcessPipe(process);
    }

    public async Task<int> StartDetachedAsync(ProcessSpec spec, string logFile, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(spec);
        ArgumentException.ThrowIfNullOrEmpty(logFile);

        // setsid and setpriv both exec (the background child of a non-interactive sh is not a process
        // group leader, so setsid does not fork), hence $! is the daemon's own pid. The daemon is
        // re-parented to init when sh exits, so it survives us and our terminal.
        var daemonArgv = new List<string> { "setsid" };
        daemonArgv.AddRange(UserSwitch.BuildArgv(spec));
        var script = $"{ShellQuoting.Join(daemonArgv)} >>{ShellQuoting.Quote(logFile)} 2>&1 </dev/null & echo $!";

        var shell = new ProcessSpec("/bin/sh", ["-c", script], spec.WorkingDirectory, UserSwitch.BuildEnvironment(spec),
            RunAsUser: null, StdinText: null, Timeout: TimeSpan.FromSeconds(30));
        var result = (await RunAsync(shell, ct)).EnsureSuccess();
        if (!int.TryParse(result.StdOut.Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var pid) || pid <= 1)
        {
            throw new InvalidOperationException($"Could not read the daemon pid from '{result.StdOut.Trim()}' ({script}).");
        }

        return pid;
    }

    private static ProcessStartInfo CreateStartInfo(List<string> argv, ProcessSpec spec)
    {
        var psi = new ProcessStartInfo(argv[0])
        {
            UseShellExecute = false,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            StandardOutputEncoding = Encoding.UTF8,
            StandardErrorEncoding = Encoding.UTF8,
        };
        foreach (var arg in argv.Skip(1))
        {
            psi.ArgumentList.Add(arg);
        }

        if (spec.WorkingDirectory is not null)
        {
            psi.WorkingDirectory = spec.WorkingDirectory;
        }

        // Start from nothing: the child sees ChildEnvironment.Base plus what the spec names, never
        // the operator's PGPASSWORD/PGHOST/... (an exported PGPASSWORD once made replicas authenticate
        // with it instead of their pgpass).
        psi.Environment.Clear();
        foreach (var (key, value) in UserSwitch.BuildEnvironment(spec))
        {
            psi.Environment[key] = value;
        }

        return psi;
    }

    /// <summary>Whole stream at once, or line by line through <paramref name="onLine"/> (one line at a time across stdout and stderr).</summary>
    private static async Task<string> ReadAsync(StreamReader reader, Action<string>? onLine, object gate)
    {
        if (onLine is null)
        {
            return await reader.ReadToEndAsync(CancellationToken.None);
        }

        var all = new StringBuilder();
        while (await reader.ReadLineAsync(CancellationToken.None) is { } line)
        {
            all.Append(line).Append('\n');
            lock (gate)
            {
                onLine(line);
            }
        }

        return all.ToString();
    }

    private static async Task WriteStdinAsync(Process process, string? text, CancellationToken ct)
    {
        // Always close stdin: a tool that reads stdin (psql without -c) would otherwise wait forever.
        if (text is not null)
        {
            await process.StandardInput.WriteAsync(text.AsMemory(), ct);
            await process.StandardInput.FlushAsync(ct);
        }

        process.StandardInput.Close();
    }

    private static void KillTree(Process process)
    {
        try
        {
            process.Kill(entireProcessTree: true);
        }
        catch (InvalidOperationException)
        {
            // Already exited between cancellation and kill.
        }
    }
}
