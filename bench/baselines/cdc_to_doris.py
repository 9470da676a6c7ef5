"""Baseline for examples/kafka_cdc_to_doris.yaml: a Debezium envelope becomes its after image (or, for a
delete, its before image with __DORIS_DELETE_SIGN__ = 1), ts_ms the sequence column, epoch-millisecond
timestamps ISO-8601 strings.
Usage: /usr/bin/python3 cdc_to_doris.py BOOTSTRAP TOPIC GROUP STREAMLOAD_HOST:PORT DB.TABLE"""
from datetime import datetime, timezone

from streamload import run

COLUMNS = ["id", "device_name", "timestamp", "manufacturer", "model", "description", "location",
           "battery_voltage"]


def to_rows(event):
    p = event.get("payload", event)
    delete = p["op"] == "d"
    image = p["before"] if delete else p["after"]
    if image is None:
        return
    row = {c: image.get(c) for c in COLUMNS}
    if row["timestamp"] is not None:
        row["timestamp"] = datetime.fromtimestamp(row["timestamp"] / 1000, timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
    row["_seq"] = p["ts_ms"]
    row["__DORIS_DELETE_SIGN__"] = 1 if delete else 0
    yield row


HEADERS = {
    "columns": ",".join(f"`{c}`" for c in COLUMNS + ["_seq", "__DORIS_DELETE_SIGN__"]),
    "hidden_columns": "__DORIS_DELETE_SIGN__",
    "function_column.sequence_col": "_seq",
}

if __name__ == "__main__":
    run(to_rows, HEADERS, "cdc")
