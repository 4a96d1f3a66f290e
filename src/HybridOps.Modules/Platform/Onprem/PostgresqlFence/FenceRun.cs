using System.Text.Json.Nodes;
using HybridOps.Core.Diagnostics;
using HybridOps.Core.Engine;
using HybridOps.Modules.Common;
using HybridOps.Modules.Platform.Onprem.Inventory;
using HybridOps.Postgres.Patroni;
using HybridOps.Postgres.Sql;
using Npgsql;

namespace HybridOps.Modules.Platform.Onprem.PostgresqlFence;

/// <summary>
/// The fence and unfence steps. An admin session is opened to every reachable member before the
/// rules change (pg_hba applies to new connections only): it watches pg_hba_file_rules and
/// terminates the client backends once the fence is loaded, so hyops never locks itself out.
/// </summary>
internal sealed class FenceRun(HaClusterState cluster, PatroniClient patroni, ModuleContext context)
{
    private readonly PatroniHba hba = new(patroni, context.Time);

    // How each member's admin session was opened (for the evidence).
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, string> via = new(StringComparer.Ordinal);

    public bool PatroniReached { get; private set; }

    private TimeSpan Timeout => TimeSpan.FromSeconds(context.Inputs.Values.Int("apply_timeout_s") ?? 30);

    private int ConnectTimeout => context.Inputs.Values.Int("connect_timeout_s") ?? 3;

    public async Task<JsonArray?> ApplyAsync(JsonArray? savedHba, IReadOnlyList<string> keep, CancellationToken cancellationToken)
    {
        var sessions = new Dictionary<string, PgSession>();
        try
        {
            // The admin sessions are opened side by side: one member's connect timeout does not delay the others.
            var opened = await Task.WhenAll(cluster.Members.Select(async m =>
            {
                try
                {
                    return (Member: m, Session: await OpenAdminAsync(m, cancellationToken), Error: (HyopsException?)null);
                }
                catch (HyopsException ex)
                {
                    return (Member: m, Session: (PgSession?)null, Error: ex);
                }
            }));
            foreach (var (m, session, error) in opened)
            {
                if (session is not null)
                {
                    sessions[m.Name] = session;
                    context.Evidence.Check($"admin_session:{m.Name}", true, new JsonObject { ["host"] = m.Host, ["via"] = via[m.Name] });
                }
                else
                {
                    context.Evidence.Check($"admin_session:{m.Name}", false, new JsonObject { ["host"] = m.Host, ["error"] = error!.Diagnostics[0].Message }, error.Diagnostics[0].Code);
                }
            }

            List<string> current;
            string apiUrl;
            try
            {
                (current, apiUrl) = await hba.ReadAsync(cluster.ApiUrls, cancellationToken);
                PatroniReached = true;
            }
            catch (HyopsException ex) when (ex.ExitCode == ExitCode.ConnectivityFailure)
            {
                context.Evidence.Check("patroni_api_reachable", false, new JsonObject { ["error"] = ex.Diagnostics[0].Message }, ex.Diagnostics[0].Code);
                context.Evidence.Note("no Patroni REST API answered: pg_hba cannot be changed; the probes decide whether the cluster is fenced by unreachability");
                return savedHba;
            }

            // Fencing an already fenced cluster keeps the pg_hba saved by the first fence.
            var previous = FenceRules.IsFence(current) && savedHba is { Count: > 0 } ? savedHba.Select(n => n!.GetValue<string>()).ToList() : current;
            var fence = FenceRules.Build(previous, cluster.Members.Select(m => m.Host), keep);
            context.Evidence.Check("pg_hba_before_fence", true, new JsonObject { ["api_url"] = apiUrl, ["current"] = current.ToJsonArray(), ["saved_for_unfence"] = previous.ToJsonArray(), ["kept"] = keep.ToJsonArray() });
            if (!current.SequenceEqual(fence))
            {
                await hba.ReplaceAsync(apiUrl, fence, cancellationToken);
                context.Evidence.Action("patroni_patch_pg_hba", ["PATCH", $"{apiUrl}/config", "postgresql.pg_hba"], 0, TimeSpan.Zero, new JsonObject { ["lines"] = fence.ToJsonArray() });
            }

            var pending = await hba.WaitAsync(sessions.Keys, async (name, ct) =>
            {
                try
                {
                    return await HbaRules.ReadAsync(sessions[name].Connection, ct);
                }
                catch (Exception ex) when ((PgErrors.IsPostgresFailure(ex) || ex is InvalidOperationException)
                                           && sessions[name].Connection.State != System.Data.ConnectionState.Open)
                {
                    // A hot standby may end sessions (recovery conflicts), a restarting member ends them all:
                    // reopened, preferring the local socket, which the fence keeps open, over TCP, which it is closing.
                    return await HbaRules.ReadAsync((await ReplaceLostAsync(sessions, name, ex, ct)).Connection, ct);
                }
                catch (Exception ex) when (PgErrors.IsPostgresFailure(ex))
                {
                    throw PgErrors.Classify(ex, sessions[name].Endpoint);
                }
            }, rules => FenceRules.Loaded(rules, fence), Timeout, cancellationToken, async (attempt, ct) =>
            {
                await hba.RewriteAsync(apiUrl, fence, attempt, context, ct);
                context.Progress.Report($"a member has not loaded the fence after {PatroniHba.RewriteAfter.TotalSeconds * attempt:0} s: pg_hba written again through Patroni (attempt {attempt})");
            });
            foreach (var name in pending.Keys.ToList())
            {
                pending[name] += $" ({await PatroniViewAsync(cluster.Members.First(m => m.Name == name), cancellationToken)})";
            }

            context.Evidence.Check("fence_rules_loaded", pending.Count == 0, new JsonObject
            {
                ["members"] = sessions.Keys.ToJsonArray(), ["pending"] = pending.Select(p => $"{p.Key}: {p.Value}").ToJsonArray(),
            }, pending.Count == 0 ? null : DiagnosticCatalog.PgHbaNotApplied.Code);
            if (pending.Count > 0)
            {
                throw HyopsException.From(DiagnosticCatalog.PgHbaNotApplied, string.Join("; ", pending.Select(p => $"{p.Key}: {p.Value}")));
            }

            const string Terminate = """
                select count(*)::int from (select pg_terminate_backend(pid) from pg_stat_activity
                where backend_type = 'client backend' and pid <> pg_backend_pid() and client_addr is not null
                  and coalesce(application_name, '') <> 'Patroni') t
                """;
            foreach (var name in sessions.Keys.ToList())
            {
                try
                {
                    var terminated = await sessions[name].ScalarAsync<int>(Terminate, cancellationToken);
                    context.Evidence.Check($"client_backends_terminated:{name}", true, new JsonObject { ["terminated"] = terminated });
                }
                catch (Exception ex) when (ex is HyopsException or InvalidOperationException || PgErrors.IsPostgresFailure(ex))
                {
                    // The admin session was lost after the fence loaded: reopened through the member's socket
                    // when that can be reached (TCP is rejected now). If not, recorded, and the write probes
                    // that follow decide whether the member is fenced.
                    try
                    {
                        var terminated = await (await ReplaceLostAsync(sessions, name, ex, cancellationToken)).ScalarAsync<int>(Terminate, cancellationToken);
                        context.Evidence.Check($"client_backends_terminated:{name}", true, new JsonObject { ["terminated"] = terminated, ["reopened_after"] = ex.Message, ["via"] = via[name] });
                    }
                    catch (Exception again) when (again is HyopsException or InvalidOperationException || PgErrors.IsPostgresFailure(again))
                    {
                        context.Evidence.Check($"client_backends_terminated:{name}", false, new JsonObject { ["error"] = ex.Message, ["reopen_error"] = again.Message });
                    }
                }
            }

            return previous.ToJsonArray();
        }
        finally
        {
            foreach (var s in sessions.Values)
            {
                await s.DisposeAsync();
            }
        }
    }

    /// <summary>What a member's own Patroni says of itself (GET /patroni), for a member that did not take the change.</summary>
    private async Task<string> PatroniViewAsync(HaMember member, CancellationToken ct)
    {
        if (member.ApiUrl is null)
        {
            return "no Patroni API recorded for it";
        }

        try
        {
            var s = await patroni.GetStatusAsync(member.ApiUrl, ct);
            return $"its Patroni: state {s["state"]}, role {s["role"]}, pending_restart {s["pending_restart"]?.ToString() ?? "false"}, pause {s["pause"]?.ToString() ?? "false"}";
        }
        catch (HyopsException ex)
        {
            return $"its Patroni at {member.ApiUrl} did not answer: {ex.Diagnostics[0].Message}";
        }
    }

    /// <summary>Probes every member; with settle, retries a member that still accepts writes until the timeout (reload lag).</summary>
    public async Task<IReadOnlyList<MemberWriteProbe>> ProbeAsync(bool settle, CancellationToken cancellationToken)
    {
        var started = context.Time.GetTimestamp();
        var probes = await Task.WhenAll(cluster.Members.Select(m => Probe(m, cancellationToken)));
        while (settle && probes.Any(p => p.Write.AcceptsWrites) && context.Time.GetElapsedTime(started) < Timeout)
        {
            await Task.Delay(TimeSpan.FromMilliseconds(100), context.Time, cancellationToken);
            probes = await Task.WhenAll(probes.Select(p => p.Write.AcceptsWrites ? Probe(p.Member, cancellationToken) : Task.FromResult(p)));
        }

        foreach (var p in probes)
        {
            context.Evidence.Check($"write_probe:{p.Member.Name}", !p.Write.AcceptsWrites, p.ToJson());
        }

        return probes;
    }

    public async Task UnfenceAsync(CancellationToken cancellationToken)
    {
        var saved = context.Previous?.Outputs["previous_pg_hba"] as JsonArray;
        if (saved is not { Count: > 0 })
        {
            throw HyopsException.From(DiagnosticCatalog.FenceNothingToRestore, $"the fence state of '{cluster.ClusterName}' holds no previous_pg_hba");
        }

        var restore = saved.Select(n => n!.GetValue<string>()).ToList();
        var (current, apiUrl) = await hba.ReadAsync(cluster.ApiUrls, cancellationToken);
        context.Evidence.Check("pg_hba_before_unfence", FenceRules.IsFence(current), new JsonObject { ["current"] = current.ToJsonArray(), ["restore"] = restore.ToJsonArray() });
        await hba.ReplaceAsync(apiUrl, restore, cancellationToken);
        context.Evidence.Action("patroni_patch_pg_hba", ["PATCH", $"{apiUrl}/config", "postgresql.pg_hba"], 0, TimeSpan.Zero, new JsonObject { ["lines"] = restore.ToJsonArray() });

        var started = context.Time.GetTimestamp();
        var lastWrite = started;
        var attempt = 0;
        IReadOnlyList<MemberWriteProbe> probes;
        do
        {
            probes = await Task.WhenAll(cluster.Members.Select(m => Probe(m, cancellationToken)));
            // Lifted when a member takes writes and no member still rejects by pg_hba: each member's
            // Patroni applies the restored rules on its own loop, the replicas' readers come back too.
            if (probes.Any(p => p.Write.AcceptsWrites) && !probes.Any(p => p.Write.Outcome == "rejected"))
            {
                break;
            }

            if (context.Time.GetElapsedTime(lastWrite) > PatroniHba.RewriteAfter)
            {
                // The leader may have missed the change (Patroni drops one that arrives while PostgreSQL restarts).
                await hba.RewriteAsync(apiUrl, restore, ++attempt, context, cancellationToken);
                lastWrite = context.Time.GetTimestamp();
            }

            await Task.Delay(TimeSpan.FromMilliseconds(100), context.Time, cancellationToken);
        }
        while (context.Time.GetElapsedTime(started) < Timeout);

        var writable = probes.Where(p => p.Write.AcceptsWrites).ToList();
        context.Evidence.Check("write_probe_after_unfence", writable.Count > 0, new JsonObject
        {
            ["members"] = new JsonArray(probes.Select(p => (JsonNode?)p.ToJson()).ToArray()),
        }, writable.Count > 0 ? null : DiagnosticCatalog.UnfenceNotProven.Code);
        if (writable.Count == 0)
        {
            throw HyopsException.From(DiagnosticCatalog.UnfenceNotProven, $"cluster '{cluster.ClusterName}': no member accepted a read-write transaction within {Timeout.TotalSeconds:0}s");
        }

        var rejecting = probes.Where(p => p.Write.Outcome == "rejected").ToList();
        context.Evidence.Check("members_admit_after_unfence", rejecting.Count == 0, new JsonObject
        {
            ["rejecting"] = rejecting.Select(p => p.Member.Name).ToJsonArray(),
        }, rejecting.Count == 0 ? null : DiagnosticCatalog.UnfenceNotProven.Code);
        if (rejecting.Count > 0)
        {
            throw HyopsException.From(DiagnosticCatalog.UnfenceNotProven,
                $"cluster '{cluster.ClusterName}': {string.Join(", ", rejecting.Select(p => $"{p.Member.Name} ({p.Member.Host}:{p.Member.Port})"))} still rejected connections by pg_hba after {Timeout.TotalSeconds:0}s, though {writable[0].Member.Name} takes writes");
        }
    }

    private Task<MemberWriteProbe> Probe(HaMember m, CancellationToken cancellationToken)
    {
        var user = context.Inputs.String("probe_user") ?? cluster.DbUser;
        var env = context.Inputs.String("probe_password_env") ?? cluster.DbPasswordEnv;
        return MemberWriteProbe.RunAsync(patroni, m, new PgEndpoint(m.Host, m.Port, user, context.Secrets.Resolve(env), ConnectTimeoutSeconds: ConnectTimeout), cancellationToken);
    }

    /// <summary>
    /// A new admin session after one was lost: a member whose server restarts refuses connections for a few
    /// seconds, so the open is retried every 0.5 s for up to 15 s (within the fence's timeout).
    /// </summary>
    private async Task<PgSession> ReopenAsync(HaMember m, CancellationToken ct)
    {
        var started = context.Time.GetTimestamp();
        var budget = TimeSpan.FromSeconds(Math.Min(15, Timeout.TotalSeconds));
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return await OpenAdminAsync(m, ct);
            }
            catch (HyopsException ex) when (context.Time.GetElapsedTime(started) < budget)
            {
                context.Evidence.Note($"admin session to {m.Name} not reopened (attempt {attempt}: {ex.Diagnostics[0].Message}); retrying");
                await Task.Delay(TimeSpan.FromMilliseconds(500), context.Time, ct);
            }
        }
    }

    /// <summary>Disposes a lost admin session and puts a reopened one in its place, noting why.</summary>
    private async Task<PgSession> ReplaceLostAsync(Dictionary<string, PgSession> sessions, string name, Exception why, CancellationToken ct)
    {
        context.Evidence.Note($"admin session to {name} was lost ({why.Message}); reopening");
        await sessions[name].DisposeAsync();
        return sessions[name] = await ReopenAsync(cluster.Members.First(m => m.Name == name), ct);
    }

    /// <summary>
    /// An admin session to a member: through its unix socket over ssh when the member is an ssh host (the fence
    /// keeps `local` access and rejects TCP, so the session survives the fence, can be reopened after it, and
    /// opens on an already fenced member), else, or when that cannot be opened, as <see cref="AdminEndpoint"/> says.
    /// </summary>
    private async Task<PgSession> OpenAdminAsync(HaMember m, CancellationToken ct)
    {
        var socketDir = SocketDir(m) ?? PostgresLayout.Debian.SocketDir;
        try
        {
            if (InventoryHosts.SocketTunnelTo(HostEntry(m), socketDir, m.Port) is { } tunnel)
            {
                var session = await PgSession.OpenAsync(new PgEndpoint("127.0.0.1", tunnel.Port, cluster.DbUser, context.Secrets.Resolve(cluster.DbPasswordEnv), ConnectTimeoutSeconds: ConnectTimeout), ct);
                via[m.Name] = $"unix socket {socketDir} over ssh";
                return session;
            }
        }
        catch (Exception ex) when (ex is HyopsException or IOException or System.Net.Sockets.SocketException)
        {
            context.Evidence.Note($"admin session to {m.Name} could not be opened through its unix socket {socketDir} over ssh ({ex.Message}); trying {m.Host}:{m.Port}");
        }

        var endpoint = AdminEndpoint(m);
        var opened = await PgSession.OpenAsync(endpoint, ct);
        via[m.Name] = endpoint.Host.StartsWith('/') ? $"unix socket {endpoint.Host}" : $"tcp {endpoint.Host}:{endpoint.Port}";
        return opened;
    }

    /// <summary>The socket dir a member's contract publishes: a restored cluster's &lt;data_root&gt;/&lt;member&gt;/run, else the inventory's socket_dir (null when it names none).</summary>
    private string? SocketDir(HaMember m) =>
        context.Inputs.State("cluster_state_ref")?.Outputs.Str("data_root") is { } dataRoot
            ? Path.Combine(dataRoot, m.Name, "run")
            : SitePaths.MemberLayout(SitePaths.Inventory(context), m.Name, "socket_dir");

    /// <summary>
    /// A member's entry with its access: for a restored cluster, from the hosts contract it was restored onto
    /// (hosts_source), by name, else by address; else the site inventory's member. Null when no contract describes it.
    /// </summary>
    private JsonObject? HostEntry(HaMember m)
    {
        var restored = context.Inputs.State("cluster_state_ref")?.Outputs;
        if (restored.Str("data_root") is null)
        {
            return SitePaths.Inventory(context).Objects("members").FirstOrDefault(x => x.Str("name") == m.Name);
        }

        var hosts = SitePaths.RecordedHosts(context, restored)?.Outputs.Objects("hosts").ToList() ?? [];
        return hosts.FirstOrDefault(h => h.Str("name") == m.Name) ?? hosts.FirstOrDefault(h => h.Str("host") == m.Host);
    }

    /// <summary>
    /// The member's local unix socket when it is on this host (a restored cluster's data_root, or the
    /// socket_dir the site inventory publishes for the member), else TCP. The fence keeps `local`
    /// access, so a socket session survives it.
    /// </summary>
    private PgEndpoint AdminEndpoint(HaMember m)
    {
        var socketDir = SocketDir(m);
        var host = socketDir is not null && File.Exists(Path.Combine(socketDir, $".s.PGSQL.{m.Port}")) ? socketDir : m.Host;
        return new(host, m.Port, cluster.DbUser, context.Secrets.Resolve(cluster.DbPasswordEnv), ConnectTimeoutSeconds: ConnectTimeout);
    }
}
