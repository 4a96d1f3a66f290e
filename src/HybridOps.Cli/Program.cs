using System.Collections;
using HybridOps.Cli;

// The one place that owns the real console and the real environment.
#pragma warning disable RS0030
var environment = Environment.GetEnvironmentVariables().Cast<DictionaryEntry>()
    .ToDictionary(e => (string)e.Key, e => (string?)e.Value ?? "", StringComparer.Ordinal);
using var cts = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) =>
{
    e.Cancel = true;
    cts.Cancel();
};
return await HyopsCli.RunAsync(args, new CliIO(Console.Out, Console.Error, Console.In), environment, TimeProvider.System, cts.Token);
