namespace Kpipe.Rows;

/// <summary>
/// A destination table of routed rows: its name (the source table's, filled into a sink's <c>{table}</c>)
/// and the indexes of the schema's columns it has. Rows of different tables share one batch and one schema
/// (the union of the tables' columns); each row carries only its table's columns.
/// </summary>
public sealed record RowRoute(string Name, int[] Columns);
