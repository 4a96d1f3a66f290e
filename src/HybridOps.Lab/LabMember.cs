using System.Globalization;

namespace HybridOps.Lab;

/// <summary>Addresses of one Patroni member: PostgreSQL and the Patroni REST API on the same host.</summary>
public sealed record LabMember(string Name, string Host, int PostgresPort, int RestApiPort)
{
    public string ApiUrl => $"http://{Host}:{RestApiPort.ToString(CultureInfo.InvariantCulture)}";

    public string PostgresEndpoint => $"{Host}:{PostgresPort.ToString(CultureInfo.InvariantCulture)}";

    public string ApiEndpoint => $"{Host}:{RestApiPort.ToString(CultureInfo.InvariantCulture)}";
}
