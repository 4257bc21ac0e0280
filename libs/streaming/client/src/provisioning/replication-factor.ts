import type { Admin } from 'kafkajs';

/**
 * The replication factor for topics this library creates when the caller does not name one: three
 * copies where the cluster has three brokers (the compose cluster, with min.insync.replicas=2), one on
 * the single embedded broker. Asking the cluster keeps one configuration right for both.
 */
export async function clusterReplicationFactor(admin: Admin): Promise<number> {
  const { brokers } = await admin.describeCluster();
  return replicationFactorFor(brokers.length);
}

/** The copies a topic gets on a cluster of `brokerCount` brokers: as many as there are, up to 3. */
export function replicationFactorFor(brokerCount: number): number {
  return Math.max(1, Math.min(3, brokerCount));
}
