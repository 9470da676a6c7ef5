namespace Kpipe.TestKit.Doris;

/// <summary>The Doris column types the emulator understands.</summary>
public enum DorisTypeKind
{
    Boolean,
    TinyInt,
    SmallInt,
    Int,
    BigInt,
    LargeInt,
    Float,
    Double,
    Decimal,
    Date,
    DateTime,
    Char,
    Varchar,
    String,
    Json,
}

/// <summary>
/// A Doris column type. Values loaded into it are stored as these .NET types:
/// BOOLEAN bool, TINYINT sbyte, SMALLINT short, INT int, BIGINT long, LARGEINT Int128, FLOAT float,
/// DOUBLE double, DECIMAL decimal, DATE DateOnly, DATETIME DateTime (Kind Unspecified, wall time in the
/// load's time zone), CHAR/VARCHAR/STRING string, JSON string (compact JSON text).
/// </summary>
public sealed record DorisType
{
    // VARCHAR without a length is VARCHAR(65533) in Doris (ScalarType.MAX_VARCHAR_LENGTH).
    internal const int MaxVarcharLength = 65533;

    private DorisType(DorisTypeKind kind, int length = 0, int precision = 0, int scale = 0)
    {
        Kind = kind;
        Length = length;
        Precision = precision;
        Scale = scale;
    }

    public DorisTypeKind Kind { get; }

    /// <summary>Length in bytes of CHAR(n) / VARCHAR(n); 0 for other types.</summary>
    public int Length { get; }

    /// <summary>Precision of DECIMAL(p,s); 0 for other types.</summary>
    public int Precision { get; }

    /// <summary>Scale of DECIMAL(p,s), or the fractional-second digits of DATETIME(p).</summary>
    public int Scale { get; }

    public static DorisType Boolean { get; } = new(DorisTypeKind.Boolean);
    public static DorisType TinyInt { get; } = new(DorisTypeKind.TinyInt);
    public static DorisType SmallInt { get; } = new(DorisTypeKind.SmallInt);
    public static DorisType Int { get; } = new(DorisTypeKind.Int);
    public static DorisType BigInt { get; } = new(DorisTypeKind.BigInt);
    public static DorisType LargeInt { get; } = new(DorisTypeKind.LargeInt);
    public static DorisType Float { get; } = new(DorisTypeKind.Float);
    public static DorisType Double { get; } = new(DorisTypeKind.Double);
    public static DorisType Date { get; } = new(DorisTypeKind.Date);
    public static DorisType String { get; } = new(DorisTypeKind.String);
    public static DorisType Json { get; } = new(DorisTypeKind.Json);

    public static DorisType Decimal(int precision, int scale)
    {
        // Doris DECIMALV3 takes precision 1..38 and 0 <= scale <= precision.
        if (precision is < 1 or > 38)
            throw new ArgumentOutOfRangeException(nameof(precision), precision, "DECIMAL precision must be 1..38");
        if (scale < 0 || scale > precision)
            throw new ArgumentOutOfRangeException(nameof(scale), scale, "DECIMAL scale must be 0..precision");
        return new DorisType(DorisTypeKind.Decimal, precision: precision, scale: scale);
    }

    public static DorisType DateTime(int scale = 0)
    {
        if (scale is < 0 or > 6)
            throw new ArgumentOutOfRangeException(nameof(scale), scale, "DATETIME scale must be 0..6");
        return new DorisType(DorisTypeKind.DateTime, scale: scale);
    }

    public static DorisType Char(int length)
    {
        // CHAR is 1..255 bytes in Doris.
        if (length is < 1 or > 255)
            throw new ArgumentOutOfRangeException(nameof(length), length, "CHAR length must be 1..255");
        return new DorisType(DorisTypeKind.Char, length: length);
    }

    public static DorisType Varchar(int length = MaxVarcharLength)
    {
        if (length is < 1 or > MaxVarcharLength)
            throw new ArgumentOutOfRangeException(nameof(length), length, "VARCHAR length must be 1..65533");
        return new DorisType(DorisTypeKind.Varchar, length: length);
    }

    /// <summary>Parses a type as written in DDL, e.g. "VARCHAR(32)", "DECIMAL(10, 2)", "DATETIME(6)".</summary>
    public static DorisType Parse(string text) => DdlParser.ParseType(text);

    internal bool IsInteger => Kind is DorisTypeKind.TinyInt or DorisTypeKind.SmallInt or DorisTypeKind.Int
        or DorisTypeKind.BigInt or DorisTypeKind.LargeInt;

    internal bool IsNumeric => IsInteger || Kind is DorisTypeKind.Float or DorisTypeKind.Double or DorisTypeKind.Decimal;

    internal bool IsText => Kind is DorisTypeKind.Char or DorisTypeKind.Varchar or DorisTypeKind.String;

    /// <summary>The type as Doris prints it in DESC and in error messages.</summary>
    public override string ToString() => Kind switch
    {
        DorisTypeKind.Boolean => "BOOLEAN",
        DorisTypeKind.TinyInt => "TINYINT",
        DorisTypeKind.SmallInt => "SMALLINT",
        DorisTypeKind.Int => "INT",
        DorisTypeKind.BigInt => "BIGINT",
        DorisTypeKind.LargeInt => "LARGEINT",
        DorisTypeKind.Float => "FLOAT",
        DorisTypeKind.Double => "DOUBLE",
        DorisTypeKind.Decimal => $"DECIMAL({Precision}, {Scale})",
        DorisTypeKind.Date => "DATE",
        DorisTypeKind.DateTime => Scale == 0 ? "DATETIME" : $"DATETIME({Scale})",
        DorisTypeKind.Char => $"CHAR({Length})",
        DorisTypeKind.Varchar => $"VARCHAR({Length})",
        DorisTypeKind.String => "STRING",
        DorisTypeKind.Json => "JSON",
        _ => Kind.ToString().ToUpperInvariant(),
    };
}
