namespace HybridOps.Core.Tests.Secrets;

/// <summary>A throwaway runtime root per test, so tests never share files and can run in parallel.</summary>
internal sealed class SecretsTempDirectory : IDisposable
{
    public SecretsTempDirectory()
    {
        Path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "hyops-secrets-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(Path);
    }

    public string Path { get; }

    public string VaultFile => System.IO.Path.Combine(Path, "vault", "vault.json.enc");

    public void Dispose()
    {
        try
        {
            Directory.Delete(Path, recursive: true);
        }
        catch (IOException)
        {
            // Leftover temp files are harmless; don't fail a test over cleanup.
        }
    }
}
