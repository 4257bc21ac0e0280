import { allTopics, deadLetterTopicName } from './registry.ts';
import type { Participant, TopicDefinition } from './topic.ts';

/**
 * What one participant touches, read from the topic registry: the topics it writes and reads, its
 * consumer groups and its dead-letter topics. A secured broker turns this into that participant's
 * ACLs (and nothing more), so "services communicate only through topics" is enforced, not promised.
 */
export interface ParticipantAccess {
  participant: Participant;
  /** Topics it writes. It may read them back too: the outbox relay does after a crash. */
  produces: string[];
  /** Topics it reads under its groups. */
  consumes: string[];
  /**
   * Every consumer group it uses begins with one of these: its main group (the participant's name)
   * and the groups named after it (analytics' replays, the outbox relay's recovery reads).
   */
  groupPrefixes: string[];
  /** Topics of its own outside the registry (the connector's stored positions): read and write. */
  ownTopics: string[];
  /**
   * Prefixes of its dead-letter topics: `<topic>.dlq.<its name>` for each topic it consumes, which
   * covers `<topic>.dlq.<group>` for every group named after it.
   */
  deadLetterPrefixes: string[];
  /**
   * Transactional ids it may use begin with one of these (analytics' exactly-once stage): a
   * transactional producer needs WRITE on its TRANSACTIONAL_ID besides WRITE on its topics.
   */
  transactionalIdPrefixes: string[];
  /** Topics it may create at start-up: everything it produces or consumes (order-free starts). */
  provisions: string[];
}

/** The registry topics a participant produces or consumes: what it provisions at start-up. */
export function topicsTouchedBy(
  participant: Participant,
  topics: readonly TopicDefinition[] = allTopics,
): TopicDefinition[] {
  return topics.filter(
    (topic) => topic.producers.includes(participant) || topic.consumers.includes(participant),
  );
}

export function accessOf(
  participant: Participant,
  topics: readonly TopicDefinition[] = allTopics,
): ParticipantAccess {
  const produces = topics.filter((t) => t.producers.includes(participant)).map((t) => t.name);
  const consumes = topics.filter((t) => t.consumers.includes(participant)).map((t) => t.name);
  return {
    participant,
    produces,
    consumes,
    groupPrefixes: [participant, ...(EXTRA_GROUP_PREFIXES[participant] ?? [])],
    ownTopics: [...(OWN_TOPICS[participant] ?? [])],
    deadLetterPrefixes: consumes.map((topic) => deadLetterTopicName(topic, participant)),
    transactionalIdPrefixes: TRANSACTIONAL_PARTICIPANTS.includes(participant)
      ? [transactionalIdPrefix(participant)]
      : [],
    provisions: topicsTouchedBy(participant, topics).map((t) => t.name),
  };
}

/** Where `streaming connect file-source` stores its positions (the CLI's default offsets topic). */
export const CONNECT_OFFSETS_TOPIC = 'connect-offsets';

const OWN_TOPICS: Partial<Record<Participant, readonly string[]>> = {
  connect: [CONNECT_OFFSETS_TOPIC],
};

/**
 * The CLI-based connector reads its target topic back after a crash under throwaway groups
 * (`streaming-cli-tmp-<uuid>`) that commit nothing.
 */
const EXTRA_GROUP_PREFIXES: Partial<Record<Participant, readonly string[]>> = {
  connect: ['streaming-cli-tmp-'],
};

/** Who runs transactional producers (analytics' exactly-once stage); nobody else gets the ACL. */
const TRANSACTIONAL_PARTICIPANTS: readonly Participant[] = ['analytics'];

/** The prefix of a participant's transactional ids: `<participant>.` (e.g. analytics.sales-per-minute). */
export function transactionalIdPrefix(participant: Participant): string {
  return `${participant}.`;
}
