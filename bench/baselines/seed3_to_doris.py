"""Baseline for seed pipeline 3 (kafka_list_to_doris_setting.yaml): each message's `payload` array of
devices exploded into rows, device_id renamed to id, timestamp parsed, battery_voltage cast to double.
Usage: /usr/bin/python3 seed3_to_doris.py BOOTSTRAP TOPIC GROUP STREAMLOAD_HOST:PORT DB.TABLE"""
from datetime import datetime

from streamload import run


def to_rows(message):
    for d in message["payload"]:
        yield {
            "id": d["device_id"],
            "device_name": d["device_name"],
            "timestamp": datetime.fromisoformat(d["timestamp"]).strftime("%Y-%m-%dT%H:%M:%SZ"),
            "manufacturer": d["manufacturer"],
            "model": d["model"],
            "description": d["description"],
            "location": d["location"],
            "battery_voltage": float(d["battery_voltage"]),
        }


if __name__ == "__main__":
    run(to_rows, {}, "seed3")
