using System.Collections.Concurrent;
using System.Collections.Immutable;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json.Nodes;

namespace HybridOps.Integration.Tests.Gcp.Fake;

/// <summary>
/// An honest, stateful fake of the Google APIs hyops calls, on loopback: Cloud SQL Admin v1 (one
/// address), Database Migration Service v1 (another), Cloud DNS v1 (a third) and the OAuth token
/// endpoint (a fourth). Every call is checked against the documented method, path, query and body
/// keys (<see cref="Violations"/>); faults are injected by <see cref="Inject"/>. It is NOT Google:
/// docs/gcp.md says what it models and what it does not.
/// </summary>
public sealed class FakeGoogleCloud : IAsyncDisposable
{
    private readonly List<(HttpListener Listener, string Api)> listeners = [];
    private readonly List<Task> loops = [];
    private readonly CancellationTokenSource stop = new();
    private readonly ConcurrentQueue<FakeFault> faults = new();

    public FakeGoogleCloud(string addressPrefix, string project, string region, IFakeInstanceBackend? backend = null)
    {
        Project = project;
        Region = region;
        SqlAdminUrl = Start("sqladmin", $"{addressPrefix}.1");
        DataMigrationUrl = Start("datamigration", $"{addressPrefix}.2");
        DnsUrl = Start("dns", $"{addressPrefix}.3");
        TokenUrl = Start("token", $"{addressPrefix}.4") + "token";
        SqlAdmin = new FakeSqlAdmin(project, backend ?? new AddressOnlyBackend(addressPrefix));
        DataMigration = new FakeDataMigration(project, region, SqlAdmin);
        Dns = new FakeCloudDns(project);
    }

    public string Project { get; }

    public string Region { get; }

    public Uri SqlAdminUrl { get; }

    public Uri DataMigrationUrl { get; }

    public Uri DnsUrl { get; }

    public string TokenUrl { get; }

    public FakeSqlAdmin SqlAdmin { get; }

    public FakeDataMigration DataMigration { get; }

    public FakeCloudDns Dns { get; }

    public FakeTokenEndpoint? Token { get; private set; }

    public ConcurrentQueue<FakeRequest> Requests { get; } = new();

    public ConcurrentQueue<string> Violations { get; } = new();

    /// <summary>Accepts assertions signed by this key (the generated service-account key).</summary>
    public void TrustKey(ServiceAccountKeyFile key)
    {
        ArgumentNullException.ThrowIfNull(key);
        Token = new FakeTokenEndpoint(key.Rsa, key.ClientEmail, "https://oauth2.googleapis.com/token");
    }

    public void Inject(FakeFault fault) => faults.Enqueue(fault);

    public IEnumerable<FakeRequest> Calls(string api, string method, string pathContains) =>
        Requests.Where(r => r.Api == api && r.Method == method && r.Path.Contains(pathContains, StringComparison.Ordinal));

    public async ValueTask DisposeAsync()
    {
        await stop.CancelAsync();
        foreach (var (listener, _) in listeners)
        {
            listener.Close();
        }

        await Task.WhenAll(loops.Select(l => l.ContinueWith(_ => { }, TaskScheduler.Default)));
        stop.Dispose();
    }

    private Uri Start(string api, string address)
    {
        var port = FreePort(address);
        var prefix = $"http://{address}:{port}/";
        var listener = new HttpListener();
        listener.Prefixes.Add(prefix);
        listener.Start();
        listeners.Add((listener, api));
        loops.Add(Task.Run(() => LoopAsync(listener, api)));
        return new Uri(prefix);
    }

    private static int FreePort(string address)
    {
        using var probe = new TcpListener(IPAddress.Parse(address), 0);
        probe.Start();
        return ((IPEndPoint)probe.LocalEndpoint).Port;
    }

    private async Task LoopAsync(HttpListener listener, string api)
    {
        while (!stop.IsCancellationRequested)
        {
            HttpListenerContext context;
            try
            {
                context = await listener.GetContextAsync();
            }
            catch (Exception) when (stop.IsCancellationRequested || !listener.IsListening)
            {
                return;
            }

            _ = Task.Run(() => ServeAsync(context, api));
        }
    }

    private async Task ServeAsync(HttpListenerContext context, string api)
    {
        FakeResponse response;
        try
        {
            response = await HandleAsync(context.Request, api);
        }
        catch (Exception ex)
        {
            response = FakeResponse.Error(500, "INTERNAL", $"fake failure: {ex.GetType().Name}: {ex.Message}");
        }

        try
        {
            var bytes = Encoding.UTF8.GetBytes(response.Body.ToJsonString());
            context.Response.StatusCode = response.Status;
            context.Response.ContentType = "application/json; charset=UTF-8";
            await context.Response.OutputStream.WriteAsync(bytes);
            context.Response.Close();
        }
        catch (Exception) when (stop.IsCancellationRequested)
        {
        }
        catch (HttpListenerException)
        {
            // The client gave up (its attempt timed out).
        }
    }

    private async Task<FakeResponse> HandleAsync(HttpListenerRequest http, string api)
    {
        using var reader = new StreamReader(http.InputStream, Encoding.UTF8);
        var text = await reader.ReadToEndAsync();
        if (api == "token")
        {
            return Token?.Exchange(text) ?? new FakeResponse(400, new JsonObject { ["error"] = "invalid_client" });
        }

        var path = http.Url!.AbsolutePath;
        var query = (http.QueryString.AllKeys ?? []).Where(k => k is not null).ToImmutableDictionary(k => k!, k => http.QueryString[k] ?? "");
        var bearer = http.Headers["Authorization"] is { } auth && auth.StartsWith("Bearer ", StringComparison.Ordinal) ? auth[7..] : null;
        var body = text.Length > 0 ? JsonNode.Parse(text) as JsonObject : null;
        var request = new FakeRequest(api, http.HttpMethod, Uri.UnescapeDataString(path), query, body, bearer);
        Requests.Enqueue(request);
        if (bearer is null || Token is null || !Token.Issued.Contains(bearer))
        {
            return FakeResponse.Error(401, "UNAUTHENTICATED", "Request had invalid authentication credentials. Expected OAuth 2 access token.");
        }

        var fault = TakeFault(request);
        switch (fault?.Kind)
        {
            case FakeFaultKind.Status:
                return FakeResponse.Error(fault.HttpStatus, fault.RpcStatus, $"injected {fault.RpcStatus}");
            case FakeFaultKind.Delay:
                await Task.Delay(fault.Delay);
                break;
        }

        var (contract, handler) = api switch
        {
            "sqladmin" => SqlAdmin.Route(request),
            "datamigration" => DataMigration.Route(request),
            _ => Dns.Route(request),
        };
        if (handler is null || contract is null)
        {
            Violations.Enqueue($"{request}: no such method in the {api} API");
            return FakeResponse.Error(404, "NOT_FOUND", $"The requested URL {path} was not found on this server.");
        }

        var violations = contract.Violations(request).ToList();
        if (violations.Count > 0)
        {
            foreach (var v in violations)
            {
                Violations.Enqueue(v);
            }

            return FakeResponse.Error(400, "INVALID_ARGUMENT", string.Join("; ", violations));
        }

        var result = await handler(fault?.Kind == FakeFaultKind.OperationError);
        return fault?.Kind == FakeFaultKind.StatusAfterEffect
            ? FakeResponse.Error(fault.HttpStatus, fault.RpcStatus, $"injected {fault.RpcStatus} after the effect")
            : result;
    }

    private FakeFault? TakeFault(FakeRequest request)
    {
        var key = $"{request.Method} {request.Api} {request.Path}";
        var fault = faults.FirstOrDefault(f => f.Remaining > 0 && key.Contains(f.Match, StringComparison.Ordinal));
        if (fault is not null)
        {
            fault.Remaining--;
        }

        return fault;
    }
}
