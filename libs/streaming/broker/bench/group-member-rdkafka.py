"""One consumer-group member as its own process (librdkafka through confluent-kafka).

The twin of group-member-kafkajs.ts, with the same arguments and the same JSON-line events
(group-events.ts): BOOTSTRAP GROUP TOPIC SESSION_MS [gate]. Run it with Debian's /usr/bin/python3,
the interpreter that sees python3-confluent-kafka. SIGTERM closes the consumer, which sends
LeaveGroup; SIGKILL leaves the broker to find out through the session timeout.
"""
import json
import signal
import sys
import threading
import time

from confluent_kafka import Consumer

HEARTBEAT_INTERVAL_MS = 300  # keep equal to HEARTBEAT_INTERVAL_MS in group-events.ts

bootstrap, group_id, topic, session_ms = sys.argv[1:5]
gated = len(sys.argv) > 5 and sys.argv[5] == "gate"


def emit(event):
    event["t"] = time.time() * 1000
    sys.stdout.write(json.dumps(event) + "\n")
    sys.stdout.flush()


emit({"ev": "start"})
consumer = Consumer(
    {
        "bootstrap.servers": bootstrap,
        "group.id": group_id,
        "session.timeout.ms": int(session_ms),
        "heartbeat.interval.ms": HEARTBEAT_INTERVAL_MS,
        "auto.offset.reset": "earliest",
    }
)
released = threading.Event()
if not gated:
    released.set()
leaving = threading.Event()
resumed = False


def on_assign(c, partitions):
    # Assign here ourselves so the partitions can be paused before any fetch when gated.
    c.assign(partitions)
    if not released.is_set():
        c.pause(partitions)
    emit({"ev": "assigned", "partitions": sorted(p.partition for p in partitions)})


def on_revoke(c, partitions):
    emit({"ev": "revoked"})


def read_stdin():
    for line in sys.stdin:
        if line.strip() == "go":
            released.set()
            return


signal.signal(signal.SIGTERM, lambda *_: leaving.set())
if gated:
    threading.Thread(target=read_stdin, daemon=True).start()

consumer.subscribe([topic], on_assign=on_assign, on_revoke=on_revoke)
consumed = 0
while not leaving.is_set():
    if released.is_set() and not resumed:
        resumed = True
        consumer.resume(consumer.assignment())
    # A short timeout keeps the reaction to `go` and SIGTERM prompt; heartbeats run on
    # librdkafka's own thread regardless.
    messages = consumer.consume(num_messages=10000, timeout=0.05)
    n = sum(1 for m in messages if m.error() is None)
    if n:
        consumed += n
        emit({"ev": "consumed", "n": consumed})

emit({"ev": "leaving"})
consumer.close()
emit({"ev": "closed"})
