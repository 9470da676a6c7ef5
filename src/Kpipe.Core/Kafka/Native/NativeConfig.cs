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
        values = [];
        var conf = LibRdKafka.ConfNew();
        if (conf == 0)
        {
            throw new InvalidOperationException("rd_kafka_conf_new returned NULL.");
        }

        try
        {
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
                    var reason = Redact(LibRdKafka.Utf8(errstr), values);
                    var kind = result == LibRdKafka.ConfUnknown ? "Unknown" : "Invalid value for";
                    throw new ArgumentException($"{kind} Kafka configuration property '{key}': {reason}", nameof(config));
                }
            }

            return conf;
        }
        catch
        {
            LibRdKafka.ConfDestroy(conf);
            throw;
        }
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
