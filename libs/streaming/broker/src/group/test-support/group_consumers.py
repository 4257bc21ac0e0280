"""Runs N group consumers of one python Kafka client in one process and reports what each consumed.

Usage: group_consumers.py confluent|kafka-python '{"bootstrap": ..., "topic": ..., "group": ...,
        "members": 3, "expected": 600, "strategy": "range", "timeout_s": 60}'

Prints one JSON object: {"records": [[member, partition, offset, value], ...],
"assignments": [[partitions of member 0], ...]}. Exits 1 (message on stderr) when the expected
number of distinct records is not reached in time. Each consumer is polled by its own thread.
"""
import json
import sys
import threading
import time


def run_confluent(cfg):
    from confluent_kafka import Consumer

    consumers = []
    for i in range(cfg["members"]):
        consumers.append(
            Consumer(
                {
                    "bootstrap.servers": cfg["bootstrap"],
                    "group.id": cfg["group"],
                    "client.id": "confluent-member-%d" % i,
                    "auto.offset.reset": "earliest",
                    "partition.assignment.strategy": cfg.get("strategy", "range"),
                    "session.timeout.ms": 6000,
                    "heartbeat.interval.ms": 300,
                    "enable.auto.commit": True,
                    "auto.commit.interval.ms": 200,
                }
            )
        )
    for c in consumers:
        c.subscribe([cfg["topic"]])
    return consumers, poll_confluent


def poll_confluent(consumer):
    msg = consumer.poll(0.05)
    if msg is None:
        return []
    if msg.error():
        # Partition EOF and transient errors are informational here.
        sys.stderr.write("consumer error: %s\n" % msg.error())
        return []
    return [(msg.partition(), msg.offset(), msg.value().decode("utf-8"))]


def assignment_confluent(consumer):
    return sorted(tp.partition for tp in consumer.assignment())


def run_kafka_python(cfg):
    from kafka import KafkaConsumer

    consumers = []
    for i in range(cfg["members"]):
        consumers.append(
            KafkaConsumer(
                cfg["topic"],
                bootstrap_servers=cfg["bootstrap"],
                group_id=cfg["group"],
                client_id="kafka-python-member-%d" % i,
                auto_offset_reset="earliest",
                session_timeout_ms=6000,
                heartbeat_interval_ms=300,
                enable_auto_commit=True,
                auto_commit_interval_ms=200,
            )
        )
    return consumers, poll_kafka_python


def poll_kafka_python(consumer):
    out = []
    for records in consumer.poll(timeout_ms=50).values():
        for r in records:
            out.append((r.partition, r.offset, r.value.decode("utf-8")))
    return out


def assignment_kafka_python(consumer):
    return sorted(tp.partition for tp in consumer.assignment())


def main():
    client, cfg = sys.argv[1], json.loads(sys.argv[2])
    if client == "confluent":
        consumers, poll = run_confluent(cfg)
        assignment = assignment_confluent
    else:
        consumers, poll = run_kafka_python(cfg)
        assignment = assignment_kafka_python

    records = []
    seen = set()
    lock = threading.Lock()
    done = threading.Event()
    deadline = time.time() + cfg.get("timeout_s", 60)

    def member(i, c):
        # One thread per member: kafka-python's poll() blocks inside JoinGroup until the whole
        # group has rejoined, so members polled from a single thread would wait on each other.
        while not done.is_set() and time.time() < deadline:
            for partition, offset, value in poll(c):
                with lock:
                    records.append([i, partition, offset, value])
                    seen.add(value)

    threads = [threading.Thread(target=member, args=(i, c), daemon=True) for i, c in enumerate(consumers)]
    for t in threads:
        t.start()
    while time.time() < deadline:
        with lock:
            complete = len(seen) >= cfg["expected"]
        if complete:
            # Keep polling briefly so late duplicates (a broken rebalance) would show up too,
            # and so auto-commit gets the final positions out.
            time.sleep(1.5)
            break
        time.sleep(0.05)
    done.set()
    for t in threads:
        t.join()

    assignments = [assignment(c) for c in consumers]
    for c in consumers:
        try:
            c.commit() if client == "kafka-python" else c.commit(asynchronous=False)
        except Exception as exc:  # nothing left to commit is not an error here
            sys.stderr.write("commit: %s\n" % exc)
    for c in consumers:
        c.close()
    if len(seen) < cfg["expected"]:
        sys.stderr.write("only %d of %d distinct records consumed\n" % (len(seen), cfg["expected"]))
        print(json.dumps({"records": records, "assignments": assignments}))
        sys.exit(1)
    print(json.dumps({"records": records, "assignments": assignments}))


if __name__ == "__main__":
    main()
