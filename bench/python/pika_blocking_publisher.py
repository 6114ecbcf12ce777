"""RabbitMQ anchor, Rasa style: Debian's python3-pika BlockingConnection with publisher confirms.

Each basic_publish waits for RabbitMQ's confirm before the next one goes out (one confirm at a
time), persistent and mandatory, to the run's fanout exchange. Reads {"url", "exchange",
"bodies", "warmup"} as JSON on stdin; prints the measurement of the events after the warm-up.
"""
import json
import sys
import time

import pika

from anchor_measurement import Measurement

config = json.load(sys.stdin)
bodies = [body.encode("utf-8") for body in config["bodies"]]
warmup = config["warmup"]

connection = pika.BlockingConnection(pika.URLParameters(config["url"]))
channel = connection.channel()
channel.confirm_delivery()
properties = pika.BasicProperties(delivery_mode=2)


def publish(body):
    # With confirms on, BlockingChannel.basic_publish returns once RabbitMQ acked the message
    # (it raises on a nack or, with mandatory, an unroutable message).
    channel.basic_publish(config["exchange"], "", body, properties, mandatory=True)


for body in bodies[:warmup]:
    publish(body)

measurement = Measurement()
for body in bodies[warmup:]:
    sent = time.perf_counter()
    publish(body)
    measurement.confirmed(sent)
measurement.finish()
connection.close()
print(measurement.to_json())
