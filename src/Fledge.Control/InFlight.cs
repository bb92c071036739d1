namespace Fledge.Control;

/// <summary>
/// Work run on its own, one at a time per key: a second launch of a key still under way is dropped. A metric source
/// that is slow (or hangs until its timeout) holds up only its own measurement, never another rollout's decision.
/// </summary>
/// <param name="expected">The failures the next launch may mend (the rest are bugs and are left to surface).</param>
/// <param name="failed">Told of an expected failure, with the key.</param>
public sealed class InFlight(Func<Exception, bool> expected, Action<string, Exception> failed)
{
    private readonly HashSet<string> _keys = new(StringComparer.Ordinal);

    public void Launch(string key, Func<Task> work, CancellationToken stopping)
    {
        lock (_keys)
        {
            if (!_keys.Add(key))
            {
                return;
            }
        }

        _ = Task.Run(async () =>
        {
            try
            {
                await work();
            }
            catch (OperationCanceledException) when (stopping.IsCancellationRequested)
            {
                // Stopping.
            }
            catch (Exception e) when (expected(e))
            {
                failed(key, e);
            }
            finally
            {
                lock (_keys)
                {
                    _keys.Remove(key);
                }
            }
        }, CancellationToken.None);
    }
}
