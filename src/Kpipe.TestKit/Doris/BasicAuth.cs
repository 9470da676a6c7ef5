using System.Text;
using Microsoft.AspNetCore.Http;

namespace Kpipe.TestKit.Doris;

/// <summary>HTTP Basic credentials, parsed like the FE (BaseController.parseAuthInfo) and BE (http/utils.cpp parse_basic_auth).</summary>
internal readonly record struct BasicAuth(string User, string Password)
{
    /// <summary>Null when there is no Authorization header or it is not valid Basic auth.</summary>
    public static BasicAuth? Parse(HttpRequest request)
    {
        var header = request.Headers.Authorization.ToString();
        const string prefix = "Basic ";
        if (!header.StartsWith(prefix, StringComparison.OrdinalIgnoreCase))
            return null;
        try
        {
            var decoded = Encoding.UTF8.GetString(Convert.FromBase64String(header[prefix.Length..].Trim()));
            // The password may contain ':'; the user name may not.
            var colon = decoded.IndexOf(':', StringComparison.Ordinal);
            return colon < 0 ? null : new BasicAuth(decoded[..colon], decoded[(colon + 1)..]);
        }
        catch (FormatException)
        {
            return null;
        }
    }

    public bool Matches(DorisEmulatorOptions options) =>
        // Doris also accepts "user@cluster"; the cluster part is ignored.
        string.Equals(User.Split('@')[0], options.User, StringComparison.Ordinal)
        && string.Equals(Password, options.Password, StringComparison.Ordinal);
}
