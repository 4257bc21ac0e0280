import type { ParticipantAccess } from '@retail-streams/contracts';

/** One ALLOW rule, in Kafka's terms (what `kafka-acls.sh --add` and CreateAcls take). */
export interface AclEntry {
  /** `User:<name>`. */
  principal: string;
  resourceType: 'TOPIC' | 'GROUP' | 'CLUSTER' | 'TRANSACTIONAL_ID';
  /** `kafka-cluster` for the cluster; `*` for every resource of the type. */
  resourceName: string;
  patternType: 'LITERAL' | 'PREFIXED';
  operation: 'READ' | 'WRITE' | 'CREATE' | 'DESCRIBE';
}

/**
 * A participant's ACLs, and nothing more: exactly what `accessOf` (the topic registry) says it
 * touches. Kafka's implications keep the list short: READ and WRITE imply DESCRIBE.
 * - topics it produces: WRITE (which also allows its idempotent producer, KIP-679), READ (the outbox
 *   relay, and the connector, read their own records back after a crash) and CREATE;
 * - topics it consumes: READ, and CREATE, so that services start in any order;
 * - its dead-letter topics `<topic>.dlq.<its name>…`: WRITE and CREATE, by prefix;
 * - topics of its own outside the registry (the connector's positions): READ, WRITE, CREATE;
 * - groups whose id begins with its name (or another prefix of its own): READ, by prefix;
 * - transactional ids of its own (`analytics.`…): WRITE, by prefix. A transactional producer needs it
 *   for InitProducerId, AddPartitionsToTxn, AddOffsetsToTxn and EndTxn; its TxnOffsetCommit is
 *   checked against the group's READ above.
 */
export function participantAcls(access: ParticipantAccess): AclEntry[] {
  const principal = `User:${access.participant}`;
  const entries: AclEntry[] = [];
  const add = (
    resourceType: AclEntry['resourceType'],
    resourceName: string,
    patternType: AclEntry['patternType'],
    operations: AclEntry['operation'][],
  ) => {
    for (const operation of operations)
      entries.push({ principal, resourceType, resourceName, patternType, operation });
  };
  const consumedOnly = access.consumes.filter((topic) => !access.produces.includes(topic));
  for (const topic of access.produces) add('TOPIC', topic, 'LITERAL', ['WRITE', 'READ', 'CREATE']);
  for (const topic of consumedOnly) add('TOPIC', topic, 'LITERAL', ['READ', 'CREATE']);
  for (const prefix of access.deadLetterPrefixes)
    add('TOPIC', prefix, 'PREFIXED', ['WRITE', 'CREATE']);
  for (const topic of access.ownTopics) add('TOPIC', topic, 'LITERAL', ['READ', 'WRITE', 'CREATE']);
  for (const prefix of access.groupPrefixes) add('GROUP', prefix, 'PREFIXED', ['READ']);
  for (const prefix of access.transactionalIdPrefixes)
    add('TRANSACTIONAL_ID', prefix, 'PREFIXED', ['WRITE']);
  return entries;
}

/**
 * The dashboard's monitor (`User:<principal>`): it may see which topics and groups exist, how far
 * each group has read and who holds which ACLs, but read or write no record and join no group.
 */
export function dashboardAcls(principal = 'dashboard'): AclEntry[] {
  const user = `User:${principal}`;
  return [
    {
      principal: user,
      resourceType: 'CLUSTER',
      resourceName: 'kafka-cluster',
      patternType: 'LITERAL',
      operation: 'DESCRIBE',
    },
    {
      principal: user,
      resourceType: 'TOPIC',
      resourceName: '*',
      patternType: 'LITERAL',
      operation: 'DESCRIBE',
    },
    {
      principal: user,
      resourceType: 'GROUP',
      resourceName: '*',
      patternType: 'LITERAL',
      operation: 'DESCRIBE',
    },
  ];
}
