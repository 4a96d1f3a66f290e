namespace HybridOps.Postgres.Exec;

/// <summary>
/// What the kernel says a process is doing (state, the kernel function it waits in, its kernel stack
/// when readable): the evidence a stuck daemon leaves, for diagnostics. Never throws.
/// </summary>
public static class ProcessSnapshot
{
    public static string Describe(int pid)
    {
        string Read(string name)
        {
            try
            {
                return File.ReadAllText($"/proc/{pid}/{name}").Trim();
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                return "?";
            }
        }

        var status = Read("status").Split('\n').FirstOrDefault(l => l.StartsWith("State:", StringComparison.Ordinal))?.Trim() ?? "State: ?";
        var stack = Read("stack").Replace('\n', ';');
        return $"pid {pid} {status}, wchan {Read("wchan")}, threads {Read("status").Split('\n').FirstOrDefault(l => l.StartsWith("Threads:", StringComparison.Ordinal))?.Split(':')[1].Trim() ?? "?"}, kernel stack [{(stack.Length > 400 ? stack[..400] : stack)}]";
    }
}
