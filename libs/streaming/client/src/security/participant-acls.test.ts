import { accessOf } from '@retail-streams/contracts';
import { describe, expect, it } from 'vitest';
import { dashboardAcls, participantAcls, type AclEntry } from './participant-acls.ts';

const line = (e: AclEntry) =>
  `${e.principal} ${e.operation} ${e.resourceType}:${e.patternType}:${e.resourceName}`;

describe("a participant's ACLs", () => {
  it('let sales write sales.order-placed and read inventory.reservation-result with group sales', () => {
    expect(participantAcls(accessOf('sales')).map(line)).toEqual([
      'User:sales WRITE TOPIC:LITERAL:sales.order-placed',
      // The outbox relay reads its own records back after a crash.
      'User:sales READ TOPIC:LITERAL:sales.order-placed',
      'User:sales CREATE TOPIC:LITERAL:sales.order-placed',
      'User:sales READ TOPIC:LITERAL:inventory.reservation-result',
      'User:sales CREATE TOPIC:LITERAL:inventory.reservation-result',
      'User:sales WRITE TOPIC:PREFIXED:inventory.reservation-result.dlq.sales',
      'User:sales CREATE TOPIC:PREFIXED:inventory.reservation-result.dlq.sales',
      'User:sales READ GROUP:PREFIXED:sales',
    ]);
  });

  it('give analytics WRITE only on its dead-letter topics, its output and its transactional ids', () => {
    const writes = participantAcls(accessOf('analytics')).filter((e) => e.operation === 'WRITE');
    expect(writes.length).toBeGreaterThan(0);
    for (const entry of writes) {
      if (entry.resourceType === 'TRANSACTIONAL_ID')
        expect(line(entry)).toBe('User:analytics WRITE TRANSACTIONAL_ID:PREFIXED:analytics.');
      else if (entry.patternType === 'LITERAL')
        expect(entry.resourceName).toBe('analytics.sales-per-minute');
      else expect(entry.resourceName).toMatch(/\.dlq\.analytics$/);
    }
    expect(writes.map(line)).toContain('User:analytics WRITE TRANSACTIONAL_ID:PREFIXED:analytics.');
  });

  it('never grant ALL, a wildcard or anything on the cluster to a participant', () => {
    for (const who of ['sales', 'inventory', 'reordering', 'analytics', 'connect'] as const)
      for (const entry of participantAcls(accessOf(who))) {
        expect(entry.resourceType, line(entry)).not.toBe('CLUSTER');
        expect(entry.resourceName, line(entry)).not.toBe('*');
      }
  });

  it('let the dashboard describe, and nothing more', () => {
    expect(new Set(dashboardAcls().map((e) => e.operation))).toEqual(new Set(['DESCRIBE']));
  });
});
