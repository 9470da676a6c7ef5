using System.Runtime.InteropServices;

namespace Kpipe.Kafka.Native;

/// <summary>Builds an rd_kafka_conf_t from key/value pairs.</summary>
/// <remarks>
/// Config values may be secrets (sasl.password, ssl.key.password), and librdkafka's own error text
/// quotes the value ("Invalid value "..." for configuration property ..."). Errors therefore name the
/// key and redact every configured value from librdkafka's text.
/// </remarks>
internal static unsafe class NativeConfig
{
    internal const int ErrStrSize = 512;

    /// <summary>A new rd_kafka_conf_t with every pair set; the caller owns it (rd_kafka_new takes it on success).</summary>
    internal static nint Create(IEnumerable<KeyValuePair<string, string>> config, out List<string> values)
    {
        ArgumentNullException.ThrowIfNull(config);
        var conf = New();
        (string Kind, string Key, string Reason)? refused;
        try
        {
            refused = SetAll(conf, config, out values);
        }
        catch
        {
            LibRdKafka.ConfDestroy(conf);
            throw;
        }

        if (refused is { } r)
        {
            LibRdKafka.ConfDestroy(conf);
            throw new ArgumentException($"{r.Kind} Kafka configuration property '{r.Key}': {r.Reason}", nameof(config));
        }

        return conf;
    }

    /// <summary>
    /// The first property librdkafka refuses (an unknown name or an invalid value), with its reason and every
    /// configured value redacted; null when it takes them all. Creates no client, so validating a pipeline
    /// file connects to nothing. Checks done only when a client is created (files named by ssl.* properties,
    /// combinations of properties) are not covered.
    /// </summary>
    internal static (string Key, string Reason)? Check(IEnumerable<KeyValuePair<string, string>> config)
    {
        var conf = New();
        try
        {
            return SetAll(conf, config, out _) is { } r
                ? (r.Key, $"librdkafka refuses it: {r.Reason}; see https://github.com/confluentinc/librdkafka/blob/master/CONFIGURATION.md")
                : null;
        }
        finally
        {
            LibRdKafka.ConfDestroy(conf);
        }
    }

    private static nint New()
    {
        var conf = LibRdKafka.ConfNew();
        return conf != 0 ? conf : throw new InvalidOperationException("rd_kafka_conf_new returned NULL.");
    }

    private static (string Kind, string Key, string Reason)? SetAll(nint conf, IEnumerable<KeyValuePair<string, string>> config, out List<string> values)
    {
        values = [];
        var errstr = stackalloc byte[ErrStrSize];
        foreach (var (key, value) in config)
        {
            ArgumentException.ThrowIfNullOrEmpty(key, nameof(config));
            ArgumentNullException.ThrowIfNull(value, nameof(config));
            values.Add(value);
            errstr[0] = 0;
            var result = LibRdKafka.ConfSet(conf, key, value, errstr, ErrStrSize);
            if (result != LibRdKafka.ConfOk)
            {
                var kind = result == LibRdKafka.ConfUnknown ? "Unknown" : "Invalid value for";
                return (kind, key, Redact(LibRdKafka.Utf8(errstr), values));
            }
        }

        return null;
    }

    /// <summary>rd_kafka_new; destroys <paramref name="conf"/> on failure (on success librdkafka owns it).</summary>
    internal static nint NewHandle(int type, nint conf, List<string> values)
    {
        var errstr = stackalloc byte[ErrStrSize];
        errstr[0] = 0;
        var rk = LibRdKafka.New(type, conf, errstr, ErrStrSize);
        if (rk == 0)
        {
            LibRdKafka.ConfDestroy(conf);
            throw new ArgumentException(
                $"librdkafka rejected the configuration: {Redact(LibRdKafka.Utf8(errstr), values)}", "config");
        }

        return rk;
    }

    /// <summary>Removes every configured value from <paramref name="text"/>.</summary>
    internal static string Redact(string text, List<string> values)
    {
        // Longest first, so a value that contains a shorter one is removed whole.
        foreach (var value in values.Where(v => v.Length > 0).OrderByDescending(v => v.Length))
        {
            text = text.Replace(value, "***", StringComparison.Ordinal);
        }

        return text;
    }
}
