namespace Fledge.Cli.Output;

/// <summary>`--output`: a table for people or JSON for programs.</summary>
public enum OutputFormat
{
    Table,
    Json,
}
