"""Drives librdkafka's transactional producer (python3-confluent-kafka) against the broker.
Usage: confluent_transactions.py COMMAND '<json args>'. Prints exactly one JSON object on
stdout; librdkafka logs go to stderr."""
import json
import sys
import time

from confluent_kafka import (OFFSET_BEGINNING, Consumer, KafkaException, Producer,
                             TopicPartition)


def transactional_producer(args, transactional_id, timeout_ms=60000):
    producer = Producer({
        'bootstrap.servers': args['bootstrap'],
        'transactional.id': transactional_id,
        'transaction.timeout.ms': timeout_ms,
        'linger.ms': 5,
    })
    producer.init_transactions(30)
    return producer


def produce_values(producer, topic, values, partition=0):
    for value in values:
        producer.produce(topic, value=value.encode('utf-8'), partition=partition)
    producer.flush(30)


def read_all(args, topic, isolation, partitions=1):
    """Every value of the topic's partitions as a consumer with this isolation level sees them."""
    consumer = Consumer({
        'bootstrap.servers': args['bootstrap'],
        'group.id': 'reader-%s-%d' % (isolation, time.time_ns()),
        'isolation.level': isolation,
        'enable.auto.commit': False,
        'enable.partition.eof': True,
    })
    consumer.assign([TopicPartition(topic, p, OFFSET_BEGINNING) for p in range(partitions)])
    values = []
    at_end = set()
    deadline = time.time() + 30
    while len(at_end) < partitions and time.time() < deadline:
        msg = consumer.poll(0.5)
        if msg is None:
            continue
        if msg.error():
            if msg.error().code() == -191:  # _PARTITION_EOF
                at_end.add(msg.partition())
                continue
            raise KafkaException(msg.error())
        at_end.discard(msg.partition())
        values.append(msg.value().decode('utf-8'))
    consumer.close()
    return values


def commit_abort(args):
    """Committed, aborted and committed again: what each isolation level shows."""
    topic = args['topic']
    producer = transactional_producer(args, args['transactionalId'])
    for outcome, values in (('commit', ['c1', 'c2', 'c3']), ('abort', ['a1', 'a2']),
                            ('commit', ['c4'])):
        producer.begin_transaction()
        produce_values(producer, topic, values)
        if outcome == 'commit':
            producer.commit_transaction(30)
        else:
            producer.abort_transaction(30)
    return {
        'readCommitted': read_all(args, topic, 'read_committed'),
        'readUncommitted': read_all(args, topic, 'read_uncommitted'),
    }


def fence(args):
    """A second producer with the same transactional.id fences the first and aborts its work."""
    topic = args['topic']
    zombie = transactional_producer(args, args['transactionalId'])
    zombie.begin_transaction()
    produce_values(zombie, topic, ['zombie-open'])
    fresh = transactional_producer(args, args['transactionalId'])
    zombie_error = None
    try:
        produce_values(zombie, topic, ['zombie-late'])
        zombie.commit_transaction(30)
    except KafkaException as err:
        zombie_error = err.args[0].name()
    fresh.begin_transaction()
    produce_values(fresh, topic, ['fresh'])
    fresh.commit_transaction(30)
    return {'zombieError': zombie_error, 'readCommitted': read_all(args, topic, 'read_committed')}


def consume_transform_produce(args):
    """A read_committed group consumer whose output and offsets commit in one transaction:
    the first batch is committed, the second aborted (its offsets must not count)."""
    seeder = Producer({'bootstrap.servers': args['bootstrap']})
    produce_values(seeder, args['input'], args['seed'])
    consumer = Consumer({
        'bootstrap.servers': args['bootstrap'],
        'group.id': args['group'],
        'isolation.level': 'read_committed',
        'enable.auto.commit': False,
        'auto.offset.reset': 'earliest',
    })
    consumer.subscribe([args['input']])
    producer = transactional_producer(args, args['transactionalId'])
    outcomes = []
    for outcome in ('commit', 'abort'):
        batch = []
        deadline = time.time() + 30
        while len(batch) < args['batchSize'] and time.time() < deadline:
            msg = consumer.poll(0.5)
            if msg is not None and not msg.error():
                batch.append(msg)
        producer.begin_transaction()
        for msg in batch:
            producer.produce(args['output'], value=msg.value().upper(), partition=0)
        producer.send_offsets_to_transaction(
            consumer.position(consumer.assignment()), consumer.consumer_group_metadata(), 30)
        if outcome == 'commit':
            producer.commit_transaction(30)
        else:
            producer.abort_transaction(30)
        outcomes.append({'outcome': outcome, 'consumed': len(batch)})
    committed = consumer.committed([TopicPartition(args['input'], 0)], timeout=15)
    consumer.close()
    return {
        'outcomes': outcomes,
        'committedOffset': committed[0].offset,
        'output': read_all(args, args['output'], 'read_committed'),
    }


COMMANDS = {
    'commit-abort': commit_abort,
    'fence': fence,
    'consume-transform-produce': consume_transform_produce,
}

if __name__ == '__main__':
    print(json.dumps(COMMANDS[sys.argv[1]](json.loads(sys.argv[2]))))
