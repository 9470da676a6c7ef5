"""Shared by the baselines: a bare Stream Load PUT (straight to a BE-style endpoint, as Doris allows) and
a consume loop that loads in batches and commits after each acknowledged load. Standard library and
Debian's python3-confluent-kafka only; run with /usr/bin/python3."""
import base64
import json
import signal
import sys
import urllib.request

from confluent_kafka import Consumer

BATCH_ROWS = 200_000  # kpipe's Doris sink default (maxRows)


def put(endpoint, table, lines, label, headers, auth):
    db, tbl = table.split(".", 1)
    req = urllib.request.Request(
        f"http://{endpoint}/api/{db}/{tbl}/_stream_load", data="\n".join(lines).encode(), method="PUT")
    req.add_header("Authorization", "Basic " + base64.b64encode(auth.encode()).decode())
    req.add_header("label", label)
    req.add_header("format", "json")
    req.add_header("read_json_by_line", "true")
    for k, v in headers.items():
        req.add_header(k, v)
    with urllib.request.urlopen(req, timeout=60) as resp:
        answer = json.loads(resp.read())
    if answer.get("Status") not in ("Success", "Publish Timeout", "Label Already Exists"):
        raise RuntimeError(f"load {label} failed: {answer}")


def run(to_rows, headers, prefix):
    bootstrap, topic, group, endpoint, table = sys.argv[1:6]
    running = True

    def stop(*_):
        nonlocal running
        running = False

    signal.signal(signal.SIGTERM, stop)
    consumer = Consumer({"bootstrap.servers": bootstrap, "group.id": group, "auto.offset.reset": "earliest",
                         "enable.auto.commit": False})
    consumer.subscribe([topic])
    lines, loads = [], 0
    while running:
        msgs = consumer.consume(num_messages=10_000, timeout=0.5)
        for m in msgs:
            if m.error() or m.value() is None:
                continue
            for row in to_rows(json.loads(m.value())):
                lines.append(json.dumps(row, separators=(",", ":")))
        # Load when the batch is full or the topic is caught up (nothing came): like a bare script would.
        if lines and (len(lines) >= BATCH_ROWS or not msgs):
            loads += 1
            put(endpoint, table, lines, f"{prefix}_{group}_{loads}", headers, "root:password")
            consumer.commit(asynchronous=False)
            lines = []
    consumer.close()
