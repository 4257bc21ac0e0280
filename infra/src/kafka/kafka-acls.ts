import { accessOf } from '@retail-streams/contracts';
import { dashboardAcls, participantAcls, type AclEntry } from '@retail-streams/streaming-client';

/** The participants that run in docker-compose.yml (no access-log connector there). */
export const COMPOSE_PARTICIPANTS = ['sales', 'inventory', 'reordering', 'analytics'] as const;

/** Every ACL of the compose cluster: each service's from the topic registry, and the dashboard's. */
export function composeAcls(): AclEntry[] {
  return [
    ...COMPOSE_PARTICIPANTS.flatMap((name) => participantAcls(accessOf(name))),
    ...dashboardAcls('dashboard'),
  ];
}

/**
 * `infra/kafka/acls.sh`: the `kafka-acls.sh --add` commands that give the compose cluster exactly
 * `composeAcls()`, one command per principal and resource pattern. Generated, never edited:
 * `node infra/scripts/write-kafka-acls.ts` writes it and a test fails when it is stale.
 */
export function aclScript(entries: readonly AclEntry[] = composeAcls()): string {
  const commands = new Map<string, { entry: AclEntry; operations: string[] }>();
  for (const entry of entries) {
    const key = `${entry.principal}|${entry.resourceType}|${entry.patternType}|${entry.resourceName}`;
    const command = commands.get(key) ?? { entry, operations: [] };
    command.operations.push(entry.operation);
    commands.set(key, command);
  }
  const lines = [...commands.values()].map(({ entry, operations }) =>
    [
      'acls --add',
      `--allow-principal ${entry.principal}`,
      ...operations.map((operation) => `--operation ${operation}`),
      resourceFlag(entry),
      ...(entry.patternType === 'PREFIXED' ? ['--resource-pattern-type prefixed'] : []),
    ].join(' '),
  );
  return `${SCRIPT_HEADER}${lines.join('\n')}\n`;
}

function resourceFlag(entry: AclEntry): string {
  if (entry.resourceType === 'CLUSTER') return '--cluster';
  if (entry.resourceType === 'TRANSACTIONAL_ID') return `--transactional-id ${entry.resourceName}`;
  const name = entry.resourceName === '*' ? "'*'" : entry.resourceName;
  return `--${entry.resourceType.toLowerCase()} ${name}`;
}

const SCRIPT_HEADER = `#!/usr/bin/env bash
# GENERATED from the topic registry (libs/contracts) by infra/scripts/write-kafka-acls.ts: do not edit.
# Run once by the \`kafka-acls\` service of docker-compose.yml, as the admin super user, after the
# brokers are up: each service may touch only the topics the registry says it produces and consumes,
# its groups, its dead-letter topics and its transactional ids; the dashboard may only describe.
set -euo pipefail
acls() {
  /opt/kafka/bin/kafka-acls.sh --bootstrap-server kafka-1:19092 \\
    --command-config /etc/kafka/secrets/admin.properties "$@" > /dev/null
}
`;
