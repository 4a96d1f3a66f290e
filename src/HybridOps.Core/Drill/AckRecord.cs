namespace HybridOps.Core.Drill;

/// <summary>One commit the server acknowledged to the write load: a line of acks.jsonl.</summary>
/// <param name="Id">The row id written (unique per load, chosen by the client before the insert).</param>
/// <param name="LoadId">Which load run wrote it.</param>
/// <param name="AckedAt">When the client got the commit acknowledgement (UTC).</param>
/// <param name="Address">The server address the commit went to (what DNS answered at connect time).</param>
public sealed record AckRecord(long Id, string LoadId, DateTimeOffset AckedAt, string Address);
