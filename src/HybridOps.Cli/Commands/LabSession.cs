using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using HybridOps.Core;
using HybridOps.Core.Diagnostics;
using HybridOps.Core.Secrets;
using HybridOps.Core.State;

namespace HybridOps.Cli.Commands;

/// <summary>
/// Ties a runtime root to its lab: where the lab's servers live (outside the runtime root, so server
/// files such as Patroni's pgpass never sit among hyops' records) and the lab passwords, kept in the
/// vault under fixed key names. &lt;root&gt;/lab/lab-ref.json records the lab dir.
/// </summary>
public sealed class LabSession(Invocation invocation)
{
    public const string SuperuserKey = "HYOPS_LAB_PG_SUPERUSER_PASSWORD";
    public const string ReplicationKey = "HYOPS_LAB_PG_REPLICATION_PASSWORD";

    private string RefFile => Path.Combine(invocation.Root, "lab", "lab-ref.json");

    public string Locate(string? labDirOption)
    {
        var recorded = File.Exists(RefFile) ? JsonNode.Parse(File.ReadAllText(RefFile)) : null;
        var labDir = labDirOption
            ?? invocation.Environment.GetValueOrDefault("HYOPS_LAB_DIR")
            ?? recorded?["lab_dir"]?.GetValue<string>()
            ?? Path.Combine(Path.GetTempPath(), $"hyops-lab-{Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(invocation.Root)))[..10]}");
        return Path.GetFullPath(labDir);
    }

    public bool Recorded => File.Exists(RefFile);

    public void Record(string labDir) =>
        AtomicFile.WriteAllText(RefFile, new JsonObject { ["lab_dir"] = labDir }.ToJsonString(Json.Options), invocation.Redactor.Redact);

    /// <summary>Lab passwords from env or vault; generated and stored in the vault on first use.</summary>
    public (string Superuser, string Replication) Passwords()
    {
        var secrets = invocation.Runtime.Secrets;
        var haveSu = secrets.TryResolve(SuperuserKey, out var su);
        var haveRepl = secrets.TryResolve(ReplicationKey, out var repl);
        if (haveSu && haveRepl)
        {
            return (su!, repl!);
        }

        var vault = invocation.OpenVault();
        if (vault is null)
        {
            // The lab is the embedded default: with no vault password configured, it creates a 0600 password file.
            VaultPasswordSource.CreatePasswordFile(invocation.Root);
            vault = invocation.OpenVault() ?? throw HyopsException.From(DiagnosticCatalog.VaultUnavailable, "could not open the vault after creating its password file");
        }

        // Each key on its own: a value set in the environment wins and is never copied into the vault;
        // only the missing one comes from (or is generated into) the vault.
        if (!haveSu)
        {
            su = vault.TryGet(SuperuserKey, out var s) ? s : NewPassword();
            vault.Set(SuperuserKey, su);
        }

        if (!haveRepl)
        {
            repl = vault.TryGet(ReplicationKey, out var r) ? r : NewPassword();
            vault.Set(ReplicationKey, repl);
        }

        vault.Save();
        invocation.Redactor.Register(su!);
        invocation.Redactor.Register(repl!);
        return (su!, repl!);
    }

    private static string NewPassword() => Convert.ToBase64String(RandomNumberGenerator.GetBytes(24)).Replace('+', 'x').Replace('/', 'y').TrimEnd('=');
}
