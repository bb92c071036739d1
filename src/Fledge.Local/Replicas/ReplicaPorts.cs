using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;

namespace Fledge.Local.Replicas;

/// <summary>
/// The ports replicas listen on. They are taken outside the kernel's ephemeral range (net.ipv4.ip_local_port_range), because
/// a port from that range, free while its replica waits to restart, can be given by the kernel to any outgoing connection
/// (the Service proxy's own pooled connections to the other replicas, first of all): the replica then fails with "address
/// already in use" at every restart for as long as that connection lives. A port is chosen at random in the range left
/// (so two runtimes on one host rarely try the same one), and only if it can be bound now.
/// </summary>
internal static class ReplicaPorts
{
    private static readonly (int Low, int High) Range = Outside(EphemeralRange());

    /// <summary>The range replicas take their ports from.</summary>
    public static (int Low, int High) Chosen => Range;

    /// <summary>Reserves a port not in <paramref name="taken"/> (adding it) that can be bound on the loopback now.</summary>
    public static int Reserve(HashSet<int> taken)
    {
        for (var attempt = 0; attempt < 10_000; attempt++)
        {
            var port = RandomNumberGenerator.GetInt32(Range.Low, Range.High + 1);
            if (!taken.Contains(port) && CanBind(port))
            {
                taken.Add(port);
                return port;
            }
        }

        throw new InvalidOperationException($"no free port for a replica between {Range.Low} and {Range.High}: this host's ports are all in use");
    }

    private static bool CanBind(int port)
    {
        try
        {
            using var listener = new TcpListener(IPAddress.Loopback, port);
            listener.Start();
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }

    /// <summary>The kernel's ephemeral ports (Linux's default 32768-60999 when it cannot be read).</summary>
    internal static (int Low, int High) EphemeralRange()
    {
        try
        {
            var parts = File.ReadAllText("/proc/sys/net/ipv4/ip_local_port_range").Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
            return (int.Parse(parts[0], CultureInfo.InvariantCulture), int.Parse(parts[1], CultureInfo.InvariantCulture));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException or IndexOutOfRangeException)
        {
            return (32768, 60999);
        }
    }

    /// <summary>The larger of the ranges below and above the ephemeral one (10000 up: the well-known and common fixed ports stay free).</summary>
    internal static (int Low, int High) Outside((int Low, int High) ephemeral)
    {
        var below = (Low: 10000, High: ephemeral.Low - 1);
        var above = (Low: Math.Max(10000, ephemeral.High + 1), High: 65535);
        var belowSize = below.High - below.Low;
        var aboveSize = above.High - above.Low;
        return belowSize >= aboveSize && belowSize > 1000 ? below
            : aboveSize > 1000 ? above
            : (1024, 65535); // an ephemeral range that covers nearly everything: nothing better to do than any free port
    }
}
