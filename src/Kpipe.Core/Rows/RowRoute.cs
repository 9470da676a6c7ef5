namespace Kpipe.Rows;

/// <summary>
/// A destination table of routed rows: its name (the source table's, filled into a sink's <c>{table}</c>)
/// and the indexes of the schema's columns it has. Rows of different tables share one batch and one schema
/// (the union of the tables' columns); each row carries only its table's columns.
/// </summary>
/// <param name="Name">The destination table's name.</param>
/// <param name="Columns">The indexes of the schema's columns the rows carry.</param>
/// <param name="Partial">The rows update only <paramref name="Columns"/> of stored rows and keep the others (Doris's
/// partial column update), e.g. a CDC update whose unchanged TOASTed column Debezium could not send.</param>
/// <param name="Keys">The indexes of the table's key columns (a CDC event's Kafka key fields), for a sink that creates the
/// table; null when unknown.</param>
/// <param name="Sequence">The index of the column that orders updates to one key (Doris's sequence column), or -1. Set
/// only where the sequence is a column: the Doris sink's view of a route; rows carry it as metadata.</param>
public sealed record RowRoute(string Name, int[] Columns, bool Partial = false, int[]? Keys = null, int Sequence = -1);
