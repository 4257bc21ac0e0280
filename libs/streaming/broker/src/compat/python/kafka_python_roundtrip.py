"""Drives kafka-python (python3-kafka) against the broker for the
compatibility tests. Usage: kafka_python_roundtrip.py COMMAND '<json args>'.
Prints exactly one JSON object on stdout."""
import json
import sys
import time

from kafka import KafkaConsumer, KafkaProducer, TopicPartition
from kafka.admin import KafkaAdminClient, NewTopic


def codecs(_args):
    """Which compression codecs kafka-python can use here (it needs optional libs)."""
    from kafka import codec
    return {'gzip': codec.has_gzip(), 'snappy': codec.has_snappy(),
            'lz4': codec.has_lz4(), 'zstd': codec.has_zstd()}


def create_topic(args):
    admin = KafkaAdminClient(bootstrap_servers=args['bootstrap'], client_id='compat-kafka-python')
    admin.create_topics([NewTopic(args['topic'], num_partitions=args['partitions'],
                                  replication_factor=1)], timeout_ms=15000)
    admin.close()
    consumer = KafkaConsumer(bootstrap_servers=args['bootstrap'], group_id=None)
    partitions = consumer.partitions_for_topic(args['topic']) or set()
    consumer.close()
    return {'partitions': len(partitions)}


def produce(args):
    with open(args['recordsFile'], encoding='utf-8') as f:
        records = json.load(f)
    compression = args.get('compression')
    producer = KafkaProducer(bootstrap_servers=args['bootstrap'], acks='all', linger_ms=5,
                             compression_type=None if compression in (None, 'none') else compression)
    futures = []
    for record in records:
        futures.append(producer.send(
            args['topic'],
            key=record['key'].encode('utf-8'),
            value=record['value'].encode('utf-8'),
            headers=[(k, v.encode('utf-8')) for k, v in record['headers']]))
    producer.flush(30)
    acked = []
    errors = []
    for index, future in enumerate(futures):
        try:
            metadata = future.get(timeout=30)
            acked.append({'seq': index, 'partition': metadata.partition, 'offset': metadata.offset})
        except Exception as err:  # pylint: disable=broad-except
            errors.append({'seq': index, 'error': repr(err)})
    producer.close()
    return {'acked': acked, 'errors': errors}


def consume(args):
    consumer = KafkaConsumer(bootstrap_servers=args['bootstrap'], group_id=None,
                             enable_auto_commit=False, auto_offset_reset='earliest')
    tps = [TopicPartition(args['topic'], p) for p in range(args['partitions'])]
    consumer.assign(tps)
    consumer.seek_to_beginning(*tps)
    end = consumer.end_offsets(tps)
    out = []
    deadline = time.time() + args.get('timeoutSeconds', 30)
    while time.time() < deadline and any(consumer.position(tp) < end[tp] for tp in tps):
        for tp, messages in consumer.poll(timeout_ms=500).items():
            for msg in messages:
                out.append({
                    'partition': tp.partition,
                    'offset': msg.offset,
                    'key': msg.key.decode('utf-8') if msg.key is not None else None,
                    'value': msg.value.decode('utf-8') if msg.value is not None else None,
                    'headers': [[k, v.decode('utf-8') if v is not None else None]
                                for k, v in (msg.headers or [])],
                })
    consumer.close()
    return {'records': out, 'endOffsets': {str(tp.partition): end[tp] for tp in tps}}


def old_roundtrip(args):
    """Produce and read back as a client of an old broker (api_version pinned, no version probe):
    (0, 9) speaks message format 0, (0, 10) format 1. No headers: those formats have none."""
    version = tuple(args['apiVersion'])
    compression = args.get('compression')
    producer = KafkaProducer(bootstrap_servers=args['bootstrap'], api_version=version, acks=1,
                             compression_type=None if compression in (None, 'none') else compression)
    futures = [producer.send(args['topic'], key=('k%d' % i).encode(), value=('v%d' % i).encode(),
                             timestamp_ms=args['timestampMs'] + i)
               for i in range(args['count'])]
    producer.flush(30)
    offsets = [f.get(timeout=30).offset for f in futures]
    producer.close()
    consumer = KafkaConsumer(bootstrap_servers=args['bootstrap'], api_version=version,
                             group_id=None, enable_auto_commit=False)
    tp = TopicPartition(args['topic'], 0)
    consumer.assign([tp])
    consumer.seek(tp, 0)
    out = []
    deadline = time.time() + 30
    while time.time() < deadline and len(out) < args['count']:
        for messages in consumer.poll(timeout_ms=500).values():
            for msg in messages:
                out.append({'offset': msg.offset, 'key': msg.key.decode(),
                            'value': msg.value.decode(), 'timestamp': msg.timestamp})
    consumer.close()
    return {'producedOffsets': offsets, 'records': out}


COMMANDS = {'codecs': codecs, 'create-topic': create_topic, 'produce': produce, 'consume': consume,
            'old-roundtrip': old_roundtrip}

if __name__ == '__main__':
    result = COMMANDS[sys.argv[1]](json.loads(sys.argv[2]))
    sys.stdout.write(json.dumps(result))
