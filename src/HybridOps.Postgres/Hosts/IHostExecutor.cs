namespace HybridOps.Postgres.Hosts;

/// <summary>
/// The port for every effect hyops has on a host: run a command, stream one, put and get files.
/// Failures to reach the host are <see cref="HostException"/>s (HYO71xx); a command's own
/// non-zero exit is returned, not thrown. A <see cref="HostCommand.Timeout"/> is a
/// <see cref="HostCommandTimeoutException"/>; only <c>ct</c> cancels (OperationCanceledException).
/// </summary>
public interface IHostExecutor : IAsyncDisposable
{
    SiteHost Host { get; }

    Task<HostResult> RunAsync(HostCommand command, CancellationToken ct);

    /// <summary>As <see cref="RunAsync"/>; every stdout/stderr line also reaches <paramref name="onLine"/> as it arrives.</summary>
    Task<HostResult> RunStreamingAsync(HostCommand command, Action<string> onLine, CancellationToken ct);

    /// <summary>
    /// Writes <paramref name="content"/> to <paramref name="path"/> atomically: a temp file in the
    /// same directory gets owner, group and mode first, then the content, then is renamed over the
    /// path, so no reader ever sees partial content or a wider mode. The directory must exist.
    /// </summary>
    Task PutFileAsync(string path, ReadOnlyMemory<byte> content, string owner, string group, UnixFileMode mode, CancellationToken ct);

    /// <summary>The file's bytes, or null when it does not exist.</summary>
    Task<byte[]?> GetFileAsync(string path, CancellationToken ct);
}
