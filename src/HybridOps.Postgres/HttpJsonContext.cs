using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using HybridOps.Postgres.Patroni;

namespace HybridOps.Postgres;

/// <summary>Source-generated metadata for the REST APIs hyops reads (Patroni, PowerDNS), with HttpClient's web defaults.</summary>
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web)]
[JsonSerializable(typeof(PatroniCluster))]
[JsonSerializable(typeof(JsonObject))]
internal sealed partial class HttpJsonContext : JsonSerializerContext;
