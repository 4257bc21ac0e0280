import { intersect, isEmpty } from './spec.ts';
import type { VersionRange } from './spec.ts';

/** Small helpers that build the generated TypeScript text: quoting, indentation, version conditions. */

export function quote(s: string): string {
  return `'${s.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
}

export function indent(lines: string[], depth = 1): string[] {
  const pad = '  '.repeat(depth);
  return lines.map((l) => pad + l);
}

/** A boolean JS expression for "version is in p", knowing it is in c: 'true', 'false' or code. */
export function cond(p: VersionRange, c: VersionRange): string {
  const i = intersect(p, c);
  if (isEmpty(i)) return 'false';
  const lower = i.lo > c.lo;
  const upper = i.hi < c.hi;
  if (lower && upper && i.lo === i.hi) return `version === ${i.lo}`;
  const parts: string[] = [];
  if (lower) parts.push(`version >= ${i.lo}`);
  if (upper) parts.push(`version <= ${i.hi}`);
  return parts.length === 0 ? 'true' : parts.join(' && ');
}

export function not(c: string): string {
  if (c === 'true') return 'false';
  if (c === 'false') return 'true';
  return `!(${c})`;
}

export function and(a: string, b: string): string {
  if (a === 'false' || b === 'false') return 'false';
  if (a === 'true') return b;
  if (b === 'true') return a;
  return `${a} && ${b}`;
}

export function pick(c: string, a: string, b: string): string {
  if (c === 'true' || a === b) return a;
  if (c === 'false') return b;
  return `(${c} ? ${a} : ${b})`;
}

/** Drops the parentheses `pick` adds, where the expression stands alone. */
export function bare(expr: string): string {
  return expr.startsWith('(version ') ? expr.slice(1, -1) : expr;
}

/** Conditional statements, merging runs of fields that share a condition (no else branch). */
export class Statements {
  readonly lines: string[] = [];
  private openCond: string | null = null;
  private openBody: string[] = [];

  add(c: string, a: string[], b: string[] = []): void {
    if (c !== 'true' && c !== 'false' && b.length === 0 && a.length > 0) {
      if (this.openCond !== c) this.close();
      this.openCond = c;
      this.openBody.push(...a);
      return;
    }
    this.close();
    this.lines.push(...branch(c, a, b));
  }

  close(): void {
    if (this.openCond !== null) this.lines.push(...branch(this.openCond, this.openBody, []));
    this.openCond = null;
    this.openBody = [];
  }

  done(): string[] {
    this.close();
    return this.lines;
  }
}

export function branch(c: string, a: string[], b: string[]): string[] {
  if (c === 'true') return a;
  if (c === 'false') return b;
  if (b.length === 0) return [`if (${c}) {`, ...indent(a), '}'];
  if (a.length === 0) return [`if (${not(c)}) {`, ...indent(b), '}'];
  return [`if (${c}) {`, ...indent(a), '} else {', ...indent(b), '}'];
}

export function literal(v: number | bigint | boolean | string | null): string {
  if (v === null) return 'null';
  if (typeof v === 'string') return quote(v);
  if (typeof v === 'bigint') return `${v}n`;
  return String(v);
}
