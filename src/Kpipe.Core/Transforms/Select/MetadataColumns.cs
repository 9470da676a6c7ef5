using Confluent.Kafka;
using Kpipe.Rows;

namespace Kpipe.Transforms.Select;

/// <summary>Fills a column from the Kafka record's metadata (<c>meta:</c> columns).</summary>
internal static class MetadataColumns
{
    public static void Set(ConsumeResult<byte[]?, byte[]?> record, ColumnVector column, int row, MetadataField field)
    {
        switch (field)
        {
            case MetadataField.Topic:
                column.SetUtf8(row, record.Topic);
                break;
            case MetadataField.Partition:
                column.SetLong(row, record.Partition.Value);
                break;
            case MetadataField.Offset:
                column.SetLong(row, record.Offset.Value);
                break;
            case MetadataField.Timestamp:
                column.SetLong(row, record.Message.Timestamp.UnixTimestampMs * 1000);
                break;
            case MetadataField.Key:
                if (record.Message.Key != null) column.SetBytes(row, record.Message.Key);
                break;
        }
    }
}
