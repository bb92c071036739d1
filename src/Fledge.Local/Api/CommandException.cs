namespace Fledge.Local.Api;

/// <summary>A request the runtime refused, with the HTTP status to answer and what to do about it.</summary>
public sealed class CommandException(int status, IReadOnlyList<string> errors) : Exception(string.Join("; ", errors))
{
    public CommandException(int status, string error)
        : this(status, [error])
    {
    }

    public int Status { get; } = status;

    public IReadOnlyList<string> Errors { get; } = errors;

    public static CommandException NotFound(string kind, string name) =>
        new(404, $"{kind} \"{name}\" not found; `fledge get {kind.ToLowerInvariant()}s` lists what exists");
}
