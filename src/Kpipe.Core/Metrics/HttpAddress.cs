using System.Globalization;
using System.Net;

namespace Kpipe.Metrics;

/// <summary>The address of <c>kpipe run --http</c> and <c>engine.http</c>: <c>HOST:PORT</c>, <c>:PORT</c> or
/// <c>PORT</c>, the host 127.0.0.1 unless given (the endpoints say what runs; exposing them is a choice, not a
/// default).</summary>
public sealed record HttpAddress(string Host, int Port)
{
    public const string DefaultHost = "127.0.0.1";

    /// <summary>The HttpListener URI prefix for <paramref name="path"/> ("/" or "/healthz/").</summary>
    public string Prefix(string path) => $"http://{Host}:{Port.ToString(CultureInfo.InvariantCulture)}{path}";

    public override string ToString() => $"{Host}:{Port.ToString(CultureInfo.InvariantCulture)}";

    /// <param name="text">The address as written.</param>
    /// <param name="address">The address, when it is one.</param>
    /// <param name="error">Why it is not, naming <paramref name="source"/>.</param>
    /// <param name="source">Where it was written, for the error: <c>--http</c> or <c>engine.http</c>.</param>
    public static bool TryParse(string text, out HttpAddress? address, out string error, string source = "--http")
    {
        address = null;
        error = "";
        var colon = text.LastIndexOf(':');
        var host = colon < 0 ? "" : text[..colon];
        var portText = colon < 0 ? text : text[(colon + 1)..];
        if (!int.TryParse(portText, NumberStyles.None, CultureInfo.InvariantCulture, out var port) || port is < 1 or > 65535)
        {
            error = $"{source} '{text}': expected HOST:PORT, :PORT or PORT with a port from 1 to 65535";
            return false;
        }
        if (host.Length == 0) host = DefaultHost;
        var bare = host.StartsWith('[') && host.EndsWith(']') ? host[1..^1] : host;
        if (!IPAddress.TryParse(bare, out var ip) && Uri.CheckHostName(host) == UriHostNameType.Unknown)
        {
            error = $"{source} '{text}': '{host}' is not an IP address or host name";
            return false;
        }
        // IPv6 addresses are bracketed in URIs.
        if (ip is { AddressFamily: System.Net.Sockets.AddressFamily.InterNetworkV6 } && !host.StartsWith('[')) host = $"[{host}]";
        address = new HttpAddress(host, port);
        return true;
    }
}
