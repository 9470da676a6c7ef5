namespace Kpipe.Transforms.Select;

/// <summary>The unit of an epoch number converted to a timestamp.</summary>
public enum EpochUnit
{
    /// <summary>Guessed from the magnitude of the absolute value: below 1e11 seconds, below 1e14 milliseconds,
    /// below 1e17 microseconds, otherwise nanoseconds.</summary>
    Auto,
    Seconds,
    Milliseconds,
    Microseconds,
    Nanoseconds,
}

/// <summary>How <see cref="ValueConverter"/> reads values whose meaning the JSON text alone does not fix.</summary>
public sealed class ConversionOptions
{
    /// <summary>The zone of timestamp strings written without <c>Z</c> or an offset.</summary>
    public TimeZoneInfo ZonelessTimeZone { get; init; } = TimeZoneInfo.Utc;

    /// <summary>The unit of epoch numbers; <see cref="EpochUnit.Auto"/> guesses from the magnitude, which
    /// misreads milliseconds before 1973-03-03 as seconds, so declare it when such values can occur.</summary>
    public EpochUnit EpochUnit { get; init; } = EpochUnit.Auto;
}
