namespace HybridOps.Cli;

/// <summary>Where the CLI writes: results to Out, human progress and errors to Err. Tests pass StringWriters.</summary>
public sealed record CliIO(TextWriter Out, TextWriter Err, TextReader In);
