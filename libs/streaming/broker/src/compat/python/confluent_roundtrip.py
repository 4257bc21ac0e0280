"""Drives python3-confluent-kafka (librdkafka) against the broker for the
compatibility tests. Usage: confluent_roundtrip.py COMMAND '<json args>'.
Prints exactly one JSON object on stdout; librdkafka logs go to stderr."""
import json
import sys
import time

from confluent_kafka import (OFFSET_BEGINNING, Consumer, KafkaError, Producer,
                             TopicPartition)
from confluent_kafka.admin import AdminClient, ConfigResource, NewTopic


def create_topic(args):
    admin = AdminClient({'bootstrap.servers': args['bootstrap']})
    futures = admin.create_topics(
        [NewTopic(args['topic'], num_partitions=args['partitions'], replication_factor=1)],
        request_timeout=15)
    for future in futures.values():
        future.result(timeout=30)
    metadata = admin.list_topics(topic=args['topic'], timeout=15)
    topic = metadata.topics[args['topic']]
    return {'partitions': len(topic.partitions),
            'error': str(topic.error) if topic.error else None}


def produce(args):
    with open(args['recordsFile'], encoding='utf-8') as f:
        records = json.load(f)
    producer = Producer({
        'bootstrap.servers': args['bootstrap'],
        'acks': 'all',
        'compression.type': args.get('compression', 'none'),
        'linger.ms': 5,
        'enable.idempotence': bool(args.get('idempotent', False)),
    })
    acked = []
    errors = []

    def on_delivery(index):
        def callback(err, msg):
            if err is not None:
                errors.append({'seq': index, 'error': str(err)})
            else:
                acked.append({'seq': index, 'partition': msg.partition(), 'offset': msg.offset()})
        return callback

    for index, record in enumerate(records):
        while True:
            try:
                producer.produce(
                    args['topic'],
                    key=record['key'].encode('utf-8'),
                    value=record['value'].encode('utf-8'),
                    headers=[(k, v.encode('utf-8')) for k, v in record['headers']],
                    on_delivery=on_delivery(index))
                break
            except BufferError:
                producer.poll(0.1)
        producer.poll(0)
    remaining = producer.flush(30)
    return {'acked': acked, 'errors': errors, 'notDelivered': remaining}


def consume(args):
    consumer = Consumer({
        'bootstrap.servers': args['bootstrap'],
        # librdkafka insists on a group id, but assign() never joins the group.
        'group.id': 'compat-assign-only',
        'enable.auto.commit': False,
        'enable.partition.eof': True,
        'auto.offset.reset': 'earliest',
    })
    partitions = args['partitions']
    consumer.assign([TopicPartition(args['topic'], p, OFFSET_BEGINNING) for p in range(partitions)])
    out = []
    errors = []
    at_end = set()
    deadline = time.time() + args.get('timeoutSeconds', 30)
    while len(at_end) < partitions and time.time() < deadline:
        msg = consumer.poll(0.5)
        if msg is None:
            continue
        if msg.error():
            if msg.error().code() == KafkaError._PARTITION_EOF:
                at_end.add(msg.partition())
            else:
                errors.append(str(msg.error()))
            continue
        out.append({
            'partition': msg.partition(),
            'offset': msg.offset(),
            'key': msg.key().decode('utf-8') if msg.key() is not None else None,
            'value': msg.value().decode('utf-8') if msg.value() is not None else None,
            'headers': [[k, v.decode('utf-8') if v is not None else None]
                        for k, v in (msg.headers() or [])],
        })
    consumer.close()
    return {'records': out, 'errors': errors, 'partitionsAtEnd': sorted(at_end)}


def alter_topic_configs(args):
    """AlterConfigs (librdkafka's 0092_mixed_msgver sets message.format.version this way), then
    DescribeConfigs: the error of the alter (or None) and every config's value and source."""
    admin = AdminClient({'bootstrap.servers': args['bootstrap']})
    resource = ConfigResource('topic', args['topic'], set_config=args['configs'])
    error = None
    try:
        for future in admin.alter_configs([resource], request_timeout=15).values():
            future.result(timeout=30)
    except Exception as err:  # KafkaException carrying the broker's error
        error = str(err)
    described = {}
    for future in admin.describe_configs([ConfigResource('topic', args['topic'])],
                                         request_timeout=15).values():
        for name, entry in future.result(timeout=30).items():
            described[name] = {'value': entry.value, 'source': entry.source}
    return {'error': error, 'configs': described}


COMMANDS = {'create-topic': create_topic, 'produce': produce, 'consume': consume,
            'alter-topic-configs': alter_topic_configs}

if __name__ == '__main__':
    result = COMMANDS[sys.argv[1]](json.loads(sys.argv[2]))
    sys.stdout.write(json.dumps(result))
