using System.Collections.Immutable;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using HybridOps.Core.Diagnostics;
using HybridOps.Core.Inputs;
using HybridOps.Postgres.Sql;

namespace HybridOps.Modules.Platform.Onprem.PostgresqlDrSource;

/// <summary>The DR source inputs, checked without any I/O (runs in Validate, before any connection).</summary>
internal sealed partial record DrSourceInputs(
    string DrMode,
    ImmutableArray<string> Databases,
    string ReplicationUser,
    string ReplicationPasswordEnv,
    ImmutableArray<Cidr> ConsumerCidrs,
    int ConnectTimeoutSeconds,
    TimeSpan HbaApplyTimeout)
{
    public const string ManagedCloudSql = "managed-cloudsql";
    public const string Export = "export";

    public bool Managed => DrMode == ManagedCloudSql;

    /// <summary>Who replicates from the source: local (native logical replication) or gcp (Database Migration Service, which needs pglogical).</summary>
    public string ConsumerProvider { get; init; } = "local";

    public static DrSourceInputs From(ResolvedInputs inputs)
    {
        var mode = inputs.String("dr_mode");
        if (mode is not (ManagedCloudSql or Export))
        {
            throw HyopsException.From(DiagnosticCatalog.SourceInputInvalid,
                $"input 'dr_mode' is '{mode}'; supported: {ManagedCloudSql}, {Export}");
        }

        var databases = Strings(inputs.Values, "source_databases");
        if (databases.Length == 0)
        {
            throw HyopsException.From(DiagnosticCatalog.InputRequired, "input 'source_databases' must list at least one database");
        }

        foreach (var db in databases.Where(d => !Identifier().IsMatch(d)))
        {
            throw HyopsException.From(DiagnosticCatalog.SourceInputInvalid, $"input 'source_databases' has '{db}', which is not a plain database name");
        }

        var user = inputs.String("replication_user") ?? "";
        if (!Identifier().IsMatch(user))
        {
            throw HyopsException.From(DiagnosticCatalog.SourceInputInvalid, $"input 'replication_user' is '{user}', which is not a plain role name");
        }

        var passwordEnv = inputs.String("replication_password_env")
            ?? throw HyopsException.From(DiagnosticCatalog.InputRequired, "input 'replication_password_env' must name the env/vault key of the replication password");
        var cidrs = ConsumerCidrsFrom(inputs.Values, mode);
        var timeout = inputs.Values["connect_timeout_s"] is JsonValue t && t.TryGetValue<int>(out var s) ? s : 3;
        var hba = inputs.Values["hba_apply_timeout_s"] is JsonValue h && h.TryGetValue<int>(out var hs) ? hs : 30;
        var consumer = inputs.String("consumer_provider") ?? "local";
        if (consumer is not ("local" or "gcp"))
        {
            throw HyopsException.From(DiagnosticCatalog.SourceInputInvalid, $"input 'consumer_provider' is '{consumer}'; supported: local, gcp");
        }

        return new DrSourceInputs(mode, databases, user, passwordEnv, cidrs, timeout, TimeSpan.FromSeconds(hba)) { ConsumerProvider = consumer };
    }

    /// <summary>SRC-7.3: an explicit, bounded allowlist for managed modes; never 0.0.0.0/0 or ::/0.</summary>
    public static ImmutableArray<Cidr> ConsumerCidrsFrom(JsonObject values, string mode)
    {
        var raw = Strings(values, "allowed_consumer_cidrs");
        if (raw.Length == 0 && mode == ManagedCloudSql)
        {
            throw HyopsException.From(DiagnosticCatalog.ConsumerCidrsRequired,
                $"input 'allowed_consumer_cidrs' is empty; dr_mode '{mode}' exposes the source and needs an explicit allowlist");
        }

        var boundaries = Strings(values, "consumer_cidr_boundaries").Select(b => Cidr.TryParse(b, out var c)
            ? c
            : throw HyopsException.From(DiagnosticCatalog.ConsumerCidrInvalid, $"input 'consumer_cidr_boundaries' has '{b}', which is not a CIDR")).ToList();
        var cidrs = ImmutableArray.CreateBuilder<Cidr>();
        foreach (var text in raw)
        {
            if (!Cidr.TryParse(text, out var cidr))
            {
                throw HyopsException.From(DiagnosticCatalog.ConsumerCidrInvalid, $"input 'allowed_consumer_cidrs' has '{text}', which is not a network/prefix CIDR");
            }

            if (cidr.PrefixLength == 0)
            {
                throw HyopsException.From(DiagnosticCatalog.ConsumerCidrInvalid, $"input 'allowed_consumer_cidrs' has '{text}', which opens the source to every address");
            }

            if (cidr.Network.ToString() != text[..text.IndexOf('/', StringComparison.Ordinal)])
            {
                throw HyopsException.From(DiagnosticCatalog.ConsumerCidrInvalid, $"input 'allowed_consumer_cidrs' has '{text}' with host bits set; did you mean '{cidr}'?");
            }

            if (!boundaries.Any(b => b.Contains(cidr)))
            {
                throw HyopsException.From(DiagnosticCatalog.ConsumerCidrInvalid,
                    $"input 'allowed_consumer_cidrs' has '{text}', outside consumer_cidr_boundaries ({string.Join(", ", boundaries)})");
            }

            cidrs.Add(cidr);
        }

        return cidrs.ToImmutable();
    }

    private static ImmutableArray<string> Strings(JsonObject values, string key) => values[key] switch
    {
        JsonArray a => [.. a.Select(n => n is JsonValue v && v.TryGetValue<string>(out var s) ? s.Trim() : throw HyopsException.From(DiagnosticCatalog.SourceInputInvalid, $"input '{key}' must be a list of strings"))
            .Where(s => s.Length > 0)],
        null => [],
        JsonValue v when v.TryGetValue<string>(out var s) && s.Length == 0 => [],
        _ => throw HyopsException.From(DiagnosticCatalog.SourceInputInvalid, $"input '{key}' must be a list"),
    };

    [GeneratedRegex("^[a-z_][a-z0-9_]{0,62}$")]
    private static partial Regex Identifier();
}
