using System.Diagnostics;

namespace HybridOps.Postgres.Exec;

/// <summary>
/// A running process whose stdin and stdout are raw byte streams (a transport, e.g. ssh carrying a
/// socket relay), stderr discarded. Disposing closes stdin and kills the process tree if it has not
/// exited. Created only by <see cref="LocalProcessRunner.StartPipe"/>.
/// </summary>
public sealed class ProcessPipe : IAsyncDisposable
{
    private readonly Process _process;

    internal ProcessPipe(Process process) => _process = process;

    public Stream Input => _process.StandardInput.BaseStream;

    public Stream Output => _process.StandardOutput.BaseStream;

    public Task WaitForExitAsync(CancellationToken ct) => _process.WaitForExitAsync(ct);

    /// <summary>Kills the process tree now (a no-op once it exited).</summary>
    public void Kill()
    {
        try
        {
            _process.Kill(entireProcessTree: true);
        }
        catch (Exception e) when (e is InvalidOperationException or System.ComponentModel.Win32Exception)
        {
        }
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            _process.StandardInput.Close();
        }
        catch (IOException)
        {
        }

        try
        {
            using var grace = new CancellationTokenSource(TimeSpan.FromSeconds(2));
            await _process.WaitForExitAsync(grace.Token);
        }
        catch (OperationCanceledException)
        {
            try
            {
                _process.Kill(entireProcessTree: true);
            }
            catch (InvalidOperationException)
            {
            }
        }

        _process.Dispose();
    }
}
