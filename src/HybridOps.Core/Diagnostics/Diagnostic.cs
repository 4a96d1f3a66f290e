namespace HybridOps.Core.Diagnostics;

/// <summary>A position in a contract file, 1-based.</summary>
public sealed record SourceLocation(string File, int Line, int Column = 0)
{
    public override string ToString() => Column > 0 ? $"{File}:{Line}:{Column}" : $"{File}:{Line}";
}

/// <summary>One reported problem: what was wrong (message), where, and how to fix it (hint).</summary>
public sealed record Diagnostic(string Code, ExitCode ExitCode, string Message, string Hint, SourceLocation? Location = null)
{
    public override string ToString() =>
        Location is null ? $"{Code}: {Message} (hint: {Hint})" : $"{Location}: {Code}: {Message} (hint: {Hint})";
}
