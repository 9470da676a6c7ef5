namespace Kpipe.TestKit.Doris;

/// <summary>A column of an emulated Doris table.</summary>
/// <param name="Name">Column name; Doris matches column names case-insensitively.</param>
/// <param name="Type">Column type.</param>
/// <param name="IsNullable">Whether NULL may be stored. Doris columns are nullable unless declared NOT NULL.</param>
/// <param name="DefaultValue">
/// The DEFAULT clause as written: a literal ("0", "abc"), "NULL", "CURRENT_TIMESTAMP" or "CURRENT_DATE";
/// null when the column has no DEFAULT clause. A load that does not supply the column stores this value.
/// </param>
public sealed record DorisColumn(string Name, DorisType Type, bool IsNullable = true, string? DefaultValue = null)
{
    /// <summary>Whether the column is part of the table's key (UNIQUE KEY or DUPLICATE KEY).</summary>
    public bool IsKey { get; init; }

    internal bool HasDefault => DefaultValue is not null;

    internal bool DefaultIsCurrentTime =>
        DefaultValue is not null
        && (DefaultValue.StartsWith("CURRENT_TIMESTAMP", StringComparison.OrdinalIgnoreCase)
            || DefaultValue.Equals("NOW()", StringComparison.OrdinalIgnoreCase)
            || DefaultValue.Equals("CURRENT_DATE", StringComparison.OrdinalIgnoreCase));

    internal bool DefaultIsNull => DefaultValue is not null && DefaultValue.Equals("NULL", StringComparison.OrdinalIgnoreCase);
}
