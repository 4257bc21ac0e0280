/**
 * The labs of the course material (../shared/seeds/), as run here: each command as the seeds write
 * it with `bin/….sh` replaced by `npx …`, and what it really prints. docs/labs.md shows exactly
 * these sessions and seed-labs.test.ts runs them, each in a private network and /tmp.
 */
import { CTRL_C, CTRL_D, out, type, type Lab, type LabStep } from './lab-script.ts';

/**
 * `kafka-server-start`, left running, up to its ready line (its log goes on after it). `&` runs it
 * in the background of the same terminal, as Module 9 does; without, it keeps a terminal of its own.
 */
function startServer(command: string, logDir: string, ready: string, listen = ready): LabStep {
  return {
    command,
    keepsRunning: true,
    excerpt: true,
    screen: [
      out(`[…] INFO log directory recovered (component=storage logDir=${logDir} topics=0 …)`),
      out(`[…] INFO broker started (listen=${listen} …)`),
      out(`broker ready on ${ready}`),
    ],
  };
}

/** Module 9 ("Introduction to Kafka"), Hands-on: start the server, produce, consume. */
const module9: Lab = {
  id: 'lab-1',
  title: 'Lab 1: the console producer and consumer',
  steps: [
    startServer(
      'npx kafka-server-start config/server.properties&',
      '/tmp/kafka-logs',
      '127.0.0.1:9092',
    ),
    {
      command: 'npx kafka-console-producer --topic test --broker-list localhost:9092',
      screen: [
        out('created topic test (it did not exist; auto.create.topics.enable)'),
        type('This is a test message from IMC Institute'),
        type('Big Data School'),
        type('Test'),
        CTRL_D,
        out('acknowledged 3 records to test: partition 0 offsets 0-2 (3)'),
      ],
    },
    {
      command:
        'npx kafka-console-consumer --topic test --zookeeper localhost:2181 --from-beginning',
      screen: [
        out(
          'kafka-console-consumer: --zookeeper localhost:2181 ignored: this broker needs no ' +
            'ZooKeeper; using the broker at localhost:9092 (--bootstrap-server to change)',
        ),
        out('This is a test message from IMC Institute'),
        out('Big Data School'),
        out('Test'),
        CTRL_C,
        out('consumed 3 records'),
      ],
    },
  ],
};

/**
 * "Let's play": start Kafka, set up a topic, publish to it and watch it consumed, then a file
 * connector that monitors a log file and publishes what is added to it.
 */
const letsPlay: Lab = {
  id: 'lab-2',
  title: 'Lab 2: a topic, and a file connector',
  steps: [
    startServer(
      'npx kafka-server-start config/server.properties',
      '/tmp/kafka-logs',
      '127.0.0.1:9092',
    ),
    {
      command:
        'npx kafka-topics --create --bootstrap-server localhost:9092 --replication-factor 1 --partitions 1 --topic fred',
      screen: [out('created topic fred (1 partition)')],
    },
    {
      command: 'npx kafka-topics --list --bootstrap-server localhost:9092',
      screen: [out('__consumer_offsets'), out('fred')],
    },
    {
      command: 'npx kafka-console-producer --broker-list localhost:9092 --topic fred',
      screen: [
        type('This is a line of data'),
        type('I am sending this on the fred topic'),
        CTRL_D,
        out('acknowledged 2 records to fred: partition 0 offsets 0-1 (2)'),
      ],
    },
    {
      command:
        'npx kafka-console-consumer --bootstrap-server localhost:9092 --topic fred --from-beginning',
      screen: [
        out('This is a line of data'),
        out('I am sending this on the fred topic'),
        CTRL_C,
        out('consumed 2 records'),
      ],
    },
    { command: "printf 'foo\\nbar\\n' > test.txt", screen: [] },
    {
      command:
        'npx connect-standalone config/connect-standalone.properties config/connect-file-source.properties config/connect-file-sink.properties',
      keepsRunning: true,
      excerpt: true,
      screen: [out('local-file-source: reading test.txt from its start')],
    },
    { command: 'cat test.sink.txt', retry: true, screen: [out('foo'), out('bar')] },
    {
      command:
        'npx kafka-console-consumer --bootstrap-server localhost:9092 --topic connect-test --from-beginning',
      screen: [
        out('{"schema":{"type":"string","optional":false},"payload":"foo"}'),
        out('{"schema":{"type":"string","optional":false},"payload":"bar"}'),
        CTRL_C,
        out('consumed 2 records'),
      ],
    },
    { command: "echo 'Another line' >> test.txt", screen: [] },
    {
      command: 'cat test.sink.txt',
      retry: true,
      screen: [out('foo'), out('bar'), out('Another line')],
    },
  ],
};

/** The "Lunch and Learn" notes, Setup Cluster: three servers from three properties files. */
const setupCluster: Lab = {
  id: 'lab-3',
  title: 'Lab 3: three servers',
  steps: [
    { command: 'cp config/server.properties config/server-1.properties', screen: [] },
    { command: 'cp config/server.properties config/server-2.properties', screen: [] },
    {
      command:
        "printf 'broker.id=1\\nlisteners=PLAINTEXT://:9093\\nlog.dir=/tmp/kafka-logs-1\\n' >> config/server-1.properties",
      screen: [],
    },
    {
      command:
        "printf 'broker.id=2\\nlisteners=PLAINTEXT://:9094\\nlog.dir=/tmp/kafka-logs-2\\n' >> config/server-2.properties",
      screen: [],
    },
    {
      command: 'npx zookeeper-server-start config/zookeeper.properties',
      screen: [
        out(
          'zookeeper-server-start: this broker needs no ZooKeeper (it keeps its own metadata, as ' +
            'Kafka in KRaft mode does): nothing to start. Start the broker with kafka-server-start.',
        ),
      ],
    },
    startServer(
      'npx kafka-server-start config/server.properties',
      '/tmp/kafka-logs',
      '127.0.0.1:9092',
    ),
    startServer(
      'npx kafka-server-start config/server-1.properties',
      '/tmp/kafka-logs-1',
      '127.0.0.1:9093',
      '0.0.0.0:9093',
    ),
    startServer(
      'npx kafka-server-start config/server-2.properties',
      '/tmp/kafka-logs-2',
      '127.0.0.1:9094',
      '0.0.0.0:9094',
    ),
    {
      command:
        'npx kafka-topics --create --bootstrap-server localhost:9093 --replication-factor 3 --partitions 1 --topic my-replicated-topic',
      screen: [out('kafka-topics: replication factor 3 is larger than the 1 available broker')],
    },
    {
      command:
        'npx kafka-topics --create --bootstrap-server localhost:9093 --replication-factor 1 --partitions 1 --topic my-topic',
      screen: [out('created topic my-topic (1 partition)')],
    },
    {
      command: 'npx kafka-topics --list --exclude-internal --bootstrap-server localhost:9093',
      screen: [out('my-topic')],
    },
    {
      command: 'npx kafka-topics --list --exclude-internal --bootstrap-server localhost:9094',
      screen: [],
    },
  ],
};

export const SEED_LABS: Lab[] = [module9, letsPlay, setupCluster];
