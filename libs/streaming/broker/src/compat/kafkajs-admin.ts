// Topic creation through kafkajs' admin client, for the suites whose client has
// no admin API of its own (kcat) and for the crash test.
import kafkajs from 'kafkajs';

const { Kafka, logLevel } = kafkajs;

export async function createTopicWithKafkajs(
  bootstrap: string,
  topic: string,
  partitions: number,
): Promise<void> {
  const kafka = new Kafka({
    clientId: 'compat-admin',
    brokers: [bootstrap],
    logLevel: logLevel.NOTHING,
  });
  const admin = kafka.admin();
  await admin.connect();
  try {
    const created = await admin.createTopics({
      topics: [{ topic, numPartitions: partitions, replicationFactor: 1 }],
      waitForLeaders: true,
    });
    if (!created) throw new Error(`kafkajs admin: topic ${topic} already existed`);
  } finally {
    await admin.disconnect();
  }
}
