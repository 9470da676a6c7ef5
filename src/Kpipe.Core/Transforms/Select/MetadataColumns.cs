using Kpipe.Engine;
using Kpipe.Rows;

namespace Kpipe.Transforms.Select;

/// <summary>Fills a column from the Kafka record's metadata (<c>meta:</c> columns).</summary>
internal static class MetadataColumns
{
    public static void Set(RecordBatch batch, int index, ColumnVector column, int row, MetadataField field)
    {
        switch (field)
        {
            case MetadataField.Topic:
                column.SetUtf8(row, batch.Topic(index));
                break;
            case MetadataField.Partition:
                column.SetLong(row, batch.Partition(index));
                break;
            case MetadataField.Offset:
                column.SetLong(row, batch.Offset(index));
                break;
            case MetadataField.Timestamp:
                column.SetLong(row, batch.TimestampMs(index) * 1000);
                break;
            case MetadataField.Key:
                if (batch.HasKey(index)) column.SetBytes(row, batch.Key(index));
                break;
        }
    }
}
