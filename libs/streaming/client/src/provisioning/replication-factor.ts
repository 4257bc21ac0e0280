import type { Admin } from 'kafkajs';

/**
 * The replication factor for topics this library creates when the caller does not name one: three
 * copies where the cluster has three brokers (the compose cluster, with min.insync.replicas=2), one on
 * the single embedded broker. Asking the cluster keeps one configuration right for both.
 */
export async function clusterReplicationFactor(admin: Admin): Promise<number> {
  const { brokers } = await admin.describeCluster();
  return Math.max(1, Math.min(3, brokers.length));
}
