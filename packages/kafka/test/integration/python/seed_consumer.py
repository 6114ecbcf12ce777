"""The seed documentation's Kafka consumer (kafka-python), made to stop.

Same shape as the docs' example: KafkaConsumer(topic, bootstrap_servers=[...],
value_deserializer=json.loads(...), security_protocol=..., ssl_*=...). Three additions a test
needs: api_version (kafka-python 2.0.2 cannot detect Kafka 4.x's protocol versions), earliest
offsets (the events are published before it starts) and a consumer timeout (to end the loop).
Prints one JSON line per message: the value re-serialised with json.dumps, key and headers.
"""
import json
import sys

from kafka import KafkaConsumer

config = json.loads(sys.argv[1])
expected = config.pop("expected")
topic = config.pop("topic")

consumer = KafkaConsumer(
    topic,
    bootstrap_servers=config.pop("bootstrap_servers"),
    value_deserializer=lambda m: json.loads(m.decode("utf-8")),
    api_version=(2, 5, 0),
    auto_offset_reset="earliest",
    consumer_timeout_ms=20000,
    **config,
)

seen = 0
for message in consumer:
    print(
        json.dumps(
            {
                "value": json.dumps(message.value),
                "key": message.key.decode("utf-8") if message.key is not None else None,
                "headers": {name: value.decode("utf-8") for name, value in message.headers},
            }
        ),
        flush=True,
    )
    seen += 1
    if seen >= expected:
        break
consumer.close()
