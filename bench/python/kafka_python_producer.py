"""Kafka anchor: Debian's python3-kafka (kafka-python) producing the same events.

Settings as close to the Node sides as kafka-python allows: acks=all, one request in flight,
linger 5 ms, batches up to `batch_bytes`, key = sender_id, header RASA_ENVIRONMENT, at most
`window` events unconfirmed. kafka-python 2.0.2 has no idempotent producer, and cannot detect
the protocol versions of Kafka 4.x brokers, so api_version is given explicitly. Reads
{"brokers", "topic", "events": [[sender_id, body], ...], "warmup", "window", "linger_ms",
"batch_bytes"} as JSON on stdin; prints the measurement of the events after the warm-up.
"""
import json
import sys
import threading
import time

from kafka import KafkaProducer

from anchor_measurement import Measurement

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
slots = threading.Semaphore(config["window"])
errors = []


def produce(batch, measurement):
    for key, value in batch:
        slots.acquire()
        sent = time.perf_counter()
        future = producer.send(config["topic"], value, key=key, headers=headers)

        def on_success(_metadata, sent=sent):
            if measurement is not None:
                measurement.confirmed(sent)
            slots.release()

        def on_error(error):
            errors.append(error)
            slots.release()

        future.add_callback(on_success)
        future.add_errback(on_error)
    producer.flush()
    if errors:
        raise RuntimeError(f"{len(errors)} event(s) failed: {errors[0]}")


produce(events[: config["warmup"]], None)
measurement = Measurement()
produce(events[config["warmup"] :], measurement)
measurement.finish()
producer.close()
print(measurement.to_json())
