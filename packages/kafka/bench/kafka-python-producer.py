"""The Python anchor of the publish benchmark: Debian's kafka-python producing the same events.

Reads {"brokers", "topic", "events": [[sender_id, body], ...], "linger_ms", "batch_bytes"} as JSON
on stdin, produces every event (key = sender_id, header RASA_ENVIRONMENT, acks=all, one request
in flight) and prints {"events_per_second", "seconds"}. kafka-python 2.0.2 cannot detect the
protocol versions of Kafka 4.x brokers, so api_version is given explicitly; it has no idempotent
producer.
"""
import json
import sys
import time

from kafka import KafkaProducer

config = json.load(sys.stdin)
producer = KafkaProducer(
    bootstrap_servers=config["brokers"],
    acks="all",
    linger_ms=config["linger_ms"],
    batch_size=config["batch_bytes"],
    max_in_flight_requests_per_connection=1,
    api_version=(2, 5, 0),
)
headers = [("RASA_ENVIRONMENT", b"RASA_ENVIRONMENT_NOT_SET")]
events = [(sender.encode("utf-8"), body.encode("utf-8")) for sender, body in config["events"]]
producer.send(config["topic"], b"{}", key=b"warm-up").get(timeout=30)

start = time.perf_counter()
for key, value in events:
    producer.send(config["topic"], value, key=key, headers=headers)
producer.flush()
seconds = time.perf_counter() - start
producer.close()
print(json.dumps({"events_per_second": len(events) / seconds, "seconds": seconds}))
