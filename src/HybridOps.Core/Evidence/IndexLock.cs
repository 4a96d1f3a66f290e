using HybridOps.Core.Diagnostics;

namespace HybridOps.Core.Evidence;

/// <summary>
/// A short exclusive lock on the evidence index (logs/index.lock, flock via FileShare.None), separate from
/// the root lock: a blueprint holds that for its whole run while its module runs index their records. It
/// sits beside the index, so a refused run changes nothing outside logs/. Waits up to <see cref="Budget"/>;
/// released when disposed or when the process dies.
/// </summary>
internal static class IndexLock
{
    /// <summary>Appends take milliseconds; 30 s covers a slow disk and a concurrent adoption scan.</summary>
    public static readonly TimeSpan Budget = TimeSpan.FromSeconds(30);

    public static FileStream Acquire(string root)
    {
        var dir = Path.Combine(root, "logs");
        Directory.CreateDirectory(dir);
        var path = Path.Combine(dir, "index.lock");
        var waited = TimeSpan.Zero;
        var step = TimeSpan.FromMilliseconds(5);
        while (true)
        {
            try
            {
                return new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
            }
            catch (IOException) when (waited < Budget)
            {
                Thread.Sleep(step);
                waited += step;
            }
            catch (IOException)
            {
                throw HyopsException.From(DiagnosticCatalog.EvidenceIndexBusy, $"the evidence index lock '{path}' was held for more than {Budget.TotalSeconds:F0} s");
            }
        }
    }
}
