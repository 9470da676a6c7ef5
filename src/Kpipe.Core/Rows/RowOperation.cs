namespace Kpipe.Rows;

/// <summary>
/// The change a row stands for (a CDC event's operation), carried with the row rather than in a column: each sink
/// writes it its own way (the Doris sink as its delete sign, the Kafka sink as <c>__op</c> and <c>__deleted</c>;
/// see <see cref="RowMetadata"/>).
/// </summary>
public enum RowOperation : byte
{
    /// <summary>A plain row, not a change (rows of a <c>select</c>).</summary>
    None,
    /// <summary>An insert (Debezium <c>c</c>).</summary>
    Create,
    /// <summary>A snapshot read (Debezium <c>r</c>).</summary>
    Read,
    /// <summary>An update (Debezium <c>u</c>, and a flattened row without <c>__op</c>).</summary>
    Update,
    /// <summary>A delete (Debezium <c>d</c>, or a tombstone under <c>tombstones: delete</c>): the row holds the key.</summary>
    Delete,
}
