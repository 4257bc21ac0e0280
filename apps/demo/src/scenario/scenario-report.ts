import type { LoadResult, OrderPath } from '../load/load-generator.ts';
import type { PathAudit } from './order-audit.ts';

export interface TimelineEntry {
  atMs: number;
  label: string;
  tookMs: number;
  error?: string;
}

export interface ScenarioReport {
  scenario: string;
  description: string;
  rate: number;
  durationSeconds: number;
  syncRatio: number;
  load: Omit<LoadResult, 'accepted'>;
  audit: Record<OrderPath, PathAudit>;
  timeline: TimelineEntry[];
}

/** The promise the async path makes: every accepted order is decided, none is lost. */
export function asyncPathHeld(report: ScenarioReport): boolean {
  const a = report.audit.async;
  return a.lost === 0 && a.unfinished === 0;
}
