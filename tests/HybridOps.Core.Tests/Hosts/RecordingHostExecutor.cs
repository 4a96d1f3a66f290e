using HybridOps.Postgres.Hosts;

namespace HybridOps.Core.Tests.Hosts;

/// <summary>
/// A host with systemd cannot run here; this fake records every command and file and answers
/// <see cref="Respond"/> (exit 0, empty output by default).
/// </summary>
internal sealed class RecordingHostExecutor : IHostExecutor
{
    public SiteHost Host { get; } = new("pg1", "pg1.example") { SshUser = "ops" };

    public List<HostCommand> Commands { get; } = [];

    public Dictionary<string, byte[]> Files { get; } = new(StringComparer.Ordinal);

    public Func<HostCommand, (int ExitCode, string StdOut)> Respond { get; set; } = _ => (0, "");

    public Task<HostResult> RunAsync(HostCommand command, CancellationToken ct)
    {
        Commands.Add(command);
        var (rc, stdout) = Respond(command);
        return Task.FromResult(new HostResult(Host, rc, stdout, "", TimeSpan.Zero, command.Argv));
    }

    public Task<HostResult> RunStreamingAsync(HostCommand command, Action<string> onLine, CancellationToken ct) => RunAsync(command, ct);

    public Task PutFileAsync(string path, ReadOnlyMemory<byte> content, string owner, string group, UnixFileMode mode, CancellationToken ct)
    {
        Files[path] = content.ToArray();
        return Task.CompletedTask;
    }

    public Task<byte[]?> GetFileAsync(string path, CancellationToken ct) => Task.FromResult(Files.GetValueOrDefault(path));

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;
}
