namespace HybridOps.Postgres.PgBackRest;

/// <summary>One repository credential for pgbackrest.conf: the repo1-* option, the env/vault key NAME it came from, its value.</summary>
public sealed record RepoSecret(string Option, string KeyName, string Value)
{
    // The compiler-generated ToString would print the value.
    private bool PrintMembers(System.Text.StringBuilder builder)
    {
        builder.Append("Option = ").Append(Option).Append(", KeyName = ").Append(KeyName).Append(", Value = ***");
        return true;
    }
}
