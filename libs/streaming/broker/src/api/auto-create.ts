import type { TopicInfo } from '../storage/index.ts';
import { ErrorCode, toKafkaError } from '../errors/index.ts';
import { TXN_STATE_TOPIC, createTxnStateTopic } from '../txn/txn-state-topic.ts';
import { topicNameProblem } from './topic-name.ts';
import type { BrokerContext } from './types.ts';

export type TopicLookup =
  { topic: TopicInfo; errorCode: 0 } | { topic: null; errorCode: number; message: string };

/**
 * Finds a topic, creating it with the broker defaults when it is missing and both the request and the
 * broker allow auto-creation (auto.create.topics.enable). Creation is synchronous here, so the topic is
 * usable in the same response (Kafka answers LEADER_NOT_AVAILABLE first; clients accept either).
 */
export function lookupTopic(
  broker: BrokerContext,
  name: string,
  allowAutoCreate: boolean,
): TopicLookup {
  const problem = topicNameProblem(name);
  if (problem)
    return { topic: null, errorCode: ErrorCode.INVALID_TOPIC_EXCEPTION, message: problem };
  const existing = broker.logs.getTopic(name);
  if (existing) return { topic: existing, errorCode: 0 };
  if (!allowAutoCreate || !broker.config.autoCreateTopics) {
    return {
      topic: null,
      errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION,
      message: `unknown topic ${name}`,
    };
  }
  try {
    // Like Kafka, an internal topic is auto-created with its own layout, not the broker's defaults:
    // the transaction coordinator needs one compacted partition whoever creates it first.
    if (name === TXN_STATE_TOPIC) createTxnStateTopic(broker.logs);
    const topic =
      broker.logs.getTopic(name) ?? broker.logs.createTopic(name, broker.config.numPartitions);
    broker.logger.info({ topic: name, partitions: topic.partitionCount }, 'auto-created topic');
    return { topic, errorCode: 0 };
  } catch (err) {
    // Lost a race with a concurrent creation in the same tick: fine, use it.
    const again = broker.logs.getTopic(name);
    if (again) return { topic: again, errorCode: 0 };
    const { code, message } = toKafkaError(err);
    broker.logger.warn({ topic: name, err: message }, 'auto-creating topic failed');
    return { topic: null, errorCode: code, message };
  }
}
