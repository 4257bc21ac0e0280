"""Drives confluent-kafka (librdkafka) and kafka-python over SASL_SSL for the
security compatibility tests. Usage: secure_clients.py COMMAND '<json args>'.
Every command takes bootstrap, mechanism, user, password and cafile (the test
CA). Prints exactly one JSON object on stdout."""
import json
import sys
import time


def confluent_config(args):
    return {
        'bootstrap.servers': args['bootstrap'],
        'security.protocol': 'SASL_SSL',
        'sasl.mechanisms': args['mechanism'],
        'sasl.username': args['user'],
        'sasl.password': args['password'],
        'ssl.ca.location': args['cafile'],
    }


def confluent_roundtrip(args):
    """Idempotent produce of `count` records, then a group consume of them back."""
    from confluent_kafka import Consumer, Producer
    producer = Producer({**confluent_config(args), 'enable.idempotence': True, 'acks': 'all'})
    errors = []

    def delivered(err, _msg):
        if err is not None:
            errors.append(str(err))

    for i in range(args['count']):
        producer.produce(args['topic'], key=str(i % 7), value=f'confluent-{i}', on_delivery=delivered)
    remaining = producer.flush(30)
    consumer = Consumer({**confluent_config(args), 'group.id': args['group'],
                         'auto.offset.reset': 'earliest', 'enable.auto.commit': False})
    consumer.subscribe([args['topic']])
    values = []
    deadline = time.time() + 60
    while len(values) < args['count'] and time.time() < deadline:
        msg = consumer.poll(0.5)
        if msg is None:
            continue
        if msg.error():
            errors.append(str(msg.error()))
            break
        values.append(msg.value().decode('utf-8'))
    if values:
        consumer.commit(asynchronous=False)
    consumer.close()
    return {'errors': errors, 'unflushed': remaining, 'values': sorted(values)}


def confluent_denied(args):
    """A produce to a topic the user may not write: the delivery error librdkafka reports."""
    from confluent_kafka import Producer
    producer = Producer({**confluent_config(args), 'acks': 'all', 'message.timeout.ms': 10000})
    errors = []
    producer.produce(args['topic'], value=b'x',
                     on_delivery=lambda err, _m: errors.append(err.name() if err else None))
    producer.flush(15)
    return {'errors': errors}


def confluent_admin_acls(_args):
    """Whether this confluent-kafka has the ACL admin API (Debian's 1.7.0 has not)."""
    from confluent_kafka.admin import AdminClient
    import confluent_kafka
    return {'available': hasattr(AdminClient, 'create_acls'), 'version': confluent_kafka.version()[0]}


def kafka_python_kwargs(args):
    return {
        'bootstrap_servers': args['bootstrap'],
        'security_protocol': 'SASL_SSL',
        'sasl_mechanism': args['mechanism'],
        'sasl_plain_username': args['user'],
        'sasl_plain_password': args['password'],
        'ssl_cafile': args['cafile'],
    }


def kafka_python_roundtrip(args):
    from kafka import KafkaConsumer, KafkaProducer
    producer = KafkaProducer(acks='all', **kafka_python_kwargs(args))
    futures = [producer.send(args['topic'], key=str(i % 7).encode(), value=f'kp-{i}'.encode())
               for i in range(args['count'])]
    producer.flush(30)
    errors = []
    for future in futures:
        try:
            future.get(timeout=30)
        except Exception as err:  # pylint: disable=broad-except
            errors.append(repr(err))
    producer.close()
    consumer = KafkaConsumer(args['topic'], group_id=args['group'], auto_offset_reset='earliest',
                             enable_auto_commit=False, consumer_timeout_ms=20000,
                             **kafka_python_kwargs(args))
    values = []
    for msg in consumer:
        values.append(msg.value.decode('utf-8'))
        if len(values) >= args['count']:
            break
    consumer.commit()
    consumer.close()
    return {'errors': errors, 'values': sorted(values)}


def kafka_python_acls(args):
    """The ACL round trip from Python: create, describe (by filter), delete, describe again."""
    from kafka.admin import (ACL, ACLFilter, ACLOperation, ACLPermissionType,
                             ACLResourcePatternType, KafkaAdminClient, ResourcePattern,
                             ResourcePatternFilter, ResourceType)
    admin = KafkaAdminClient(client_id='compat-acls', **kafka_python_kwargs(args))
    acl = ACL(principal=args['principal'], host='*', operation=ACLOperation.READ,
              permission_type=ACLPermissionType.ALLOW,
              resource_pattern=ResourcePattern(ResourceType.TOPIC, args['resource'],
                                               ACLResourcePatternType.PREFIXED))
    created = admin.create_acls([acl])
    acl_filter = ACLFilter(principal=args['principal'], host=None, operation=ACLOperation.ANY,
                           permission_type=ACLPermissionType.ANY,
                           resource_pattern=ResourcePatternFilter(ResourceType.ANY, None,
                                                                  ACLResourcePatternType.ANY))
    described, error = admin.describe_acls(acl_filter)
    deleted = admin.delete_acls([acl_filter])
    after, _ = admin.describe_acls(acl_filter)
    admin.close()
    return {
        'created': len(created['succeeded']),
        'createFailed': [repr(f) for f in created['failed']],
        'describeError': error.__name__ if isinstance(error, type) else str(error),
        'described': [{'principal': a.principal, 'operation': a.operation.name,
                       'resource': a.resource_pattern.resource_name,
                       'pattern': a.resource_pattern.pattern_type.name} for a in described],
        'deleted': sum(len(matches) for _f, matches, _e in deleted),
        'after': len(after),
    }


if __name__ == '__main__':
    print(json.dumps(globals()[sys.argv[1]](json.loads(sys.argv[2]))))
