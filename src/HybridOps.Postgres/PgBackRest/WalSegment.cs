using System.Globalization;

namespace HybridOps.Postgres.PgBackRest;

/// <summary>
/// WAL segment names (TTTTTTTTLLLLLLLLSSSSSSSS: timeline, log, segment) for PostgreSQL's default 16 MiB
/// segments, where one log holds segments 00..FF.
/// </summary>
public static class WalSegment
{
    private const ulong SegmentsPerLog = 0x100;

    public static string Timeline(string name) => name[..8];

    public static string Next(string name) => Of(name, Number(name) + 1);

    public static string Previous(string name) => Of(name, Number(name) - 1);

    private static ulong Number(string name) =>
        ulong.Parse(name[8..16], NumberStyles.HexNumber, CultureInfo.InvariantCulture) * SegmentsPerLog
        + ulong.Parse(name[16..24], NumberStyles.HexNumber, CultureInfo.InvariantCulture);

    private static string Of(string name, ulong number) =>
        string.Create(CultureInfo.InvariantCulture, $"{name[..8]}{number / SegmentsPerLog:X8}{number % SegmentsPerLog:X8}");
}
