"""RabbitMQ anchor, pipelined: Debian's python3-pika SelectConnection with publisher confirms.

pika's asynchronous adapter is where pika allows confirms to be pipelined: up to `window`
messages are unconfirmed at once (the same window as the Node sides), persistent and
mandatory. Reads {"url", "exchange", "bodies", "warmup", "window"} as JSON on stdin; prints the
measurement of the events after the warm-up.
"""
import collections
import json
import sys
import time

import pika

from anchor_measurement import Measurement


class PipelinedPublisher:
    def __init__(self, config):
        self.config = config
        bodies = [body.encode("utf-8") for body in config["bodies"]]
        self.phases = [(bodies[: config["warmup"]], False), (bodies[config["warmup"] :], True)]
        self.window = config["window"]
        self.properties = pika.BasicProperties(delivery_mode=2)
        self.outstanding = collections.OrderedDict()  # delivery tag -> sent at
        self.next_tag = 1
        self.measurement = None
        self.error = None
        self.connection = None
        self.channel = None
        self.bodies = []
        self.index = 0
        self.measuring = False

    def run(self):
        self.connection = pika.SelectConnection(
            pika.URLParameters(self.config["url"]),
            on_open_callback=self.on_open,
            on_open_error_callback=self.on_open_error,
            on_close_callback=lambda _connection, _reason: self.connection.ioloop.stop(),
        )
        self.connection.ioloop.start()
        if self.error:
            raise RuntimeError(self.error)
        return self.measurement

    def on_open(self, connection):
        connection.channel(on_open_callback=self.on_channel)

    def on_open_error(self, _connection, error):
        self.error = f"cannot connect: {error}"
        self.connection.ioloop.stop()

    def on_channel(self, channel):
        self.channel = channel
        channel.add_on_return_callback(lambda *_args: self.fail("a message was returned as unroutable"))
        channel.confirm_delivery(self.on_confirm, callback=lambda _frame: self.next_phase())

    def next_phase(self):
        if not self.phases:
            self.measurement.finish()
            self.connection.close()
            return
        self.bodies, self.measuring = self.phases.pop(0)
        self.index = 0
        if self.measuring:
            self.measurement = Measurement()
        self.publish_more()

    def publish_more(self):
        while len(self.outstanding) < self.window and self.index < len(self.bodies):
            self.channel.basic_publish(
                self.config["exchange"], "", self.bodies[self.index], self.properties, mandatory=True
            )
            self.outstanding[self.next_tag] = time.perf_counter()
            self.next_tag += 1
            self.index += 1
        if self.index == len(self.bodies) and not self.outstanding:
            self.next_phase()

    def on_confirm(self, frame):
        method = frame.method
        if isinstance(method, pika.spec.Basic.Nack):
            self.fail(f"RabbitMQ nacked delivery tag {method.delivery_tag}")
            return
        now = time.perf_counter()
        if method.multiple:
            tags = [tag for tag in self.outstanding if tag <= method.delivery_tag]
        else:
            tags = [method.delivery_tag]
        for tag in tags:
            sent = self.outstanding.pop(tag, None)
            if sent is not None and self.measuring:
                self.measurement.confirmed(sent, now)
        self.publish_more()

    def fail(self, message):
        self.error = message
        self.connection.close()


measurement = PipelinedPublisher(json.load(sys.stdin)).run()
print(measurement.to_json())
