"""A RabbitMQ consumer of Rasa events written with pika, in the style of the Rasa docs' example.

    python3 pika_consumer.py declare HOST PORT USER PASSWORD EXCHANGE QUEUE
        declares the exchange and queue with the flags Rasa's aio-pika broker uses
        (fanout, durable=False; queue durable=True, bound with routing key "")
    python3 pika_consumer.py consume HOST PORT USER PASSWORD QUEUE COUNT TIMEOUT_S EXPECTED_FILE
        consumes COUNT messages and prints one JSON line per message: the dict json.loads gave,
        whether it equals the expected dict, whether Python's json.dumps of it gives back the
        exact body bytes, and the message properties.

The password comes from the environment (RABBITMQ_PASSWORD) when given as "-", so it never
appears in a process listing.
"""
import json
import os
import sys

import pika


def connect(host, port, user, password):
    if password == "-":
        password = os.environ["RABBITMQ_PASSWORD"]
    credentials = pika.PlainCredentials(user, password)
    return pika.BlockingConnection(pika.ConnectionParameters(host, int(port), credentials=credentials))


def declare(host, port, user, password, exchange, queue):
    connection = connect(host, port, user, password)
    channel = connection.channel()
    channel.exchange_declare(exchange=exchange, exchange_type="fanout", durable=False, auto_delete=False)
    channel.queue_declare(queue=queue, durable=True)
    channel.queue_bind(queue=queue, exchange=exchange, routing_key="")
    connection.close()


def consume(host, port, user, password, queue, count, timeout_s, expected_file):
    with open(expected_file, encoding="utf-8") as handle:
        expected = [line.rstrip("\n") for line in handle if line.strip()]
    received = []
    connection = connect(host, port, user, password)
    channel = connection.channel()

    def _callback(ch, method, properties, body):
        # Do something useful with your incoming message body here, e.g. saving it to a database
        event = json.loads(body)
        index = len(received)
        received.append(
            {
                "event": event,
                "equals_expected": index < len(expected) and event == json.loads(expected[index]),
                "python_dumps_is_body": json.dumps(event).encode("utf-8") == body,
                "delivery_mode": properties.delivery_mode,
                "app_id": properties.app_id,
                "content_type": properties.content_type,
                "message_id": properties.message_id,
                "headers": properties.headers,
            }
        )
        if len(received) >= int(count):
            ch.stop_consuming()

    connection.call_later(float(timeout_s), channel.stop_consuming)
    channel.basic_consume(queue=queue, on_message_callback=_callback, auto_ack=True)
    channel.start_consuming()
    connection.close()
    for item in received:
        print(json.dumps(item))


if __name__ == "__main__":
    command, *arguments = sys.argv[1:]
    {"declare": declare, "consume": consume}[command](*arguments)
