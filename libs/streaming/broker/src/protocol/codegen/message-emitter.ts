import {
  and,
  bare,
  branch,
  cond,
  indent,
  literal,
  not,
  pick,
  quote,
  Statements,
} from './code-text.ts';
import {
  camelCase,
  defaultValueOf,
  elementType,
  intersect,
  isArray,
  isEmpty,
  isPrimitive,
  parseVersions,
} from './spec.ts';
import type { DefaultValue, FieldSpec, MessageSpec, StructSpec, VersionRange } from './spec.ts';

/**
 * Turns Kafka's message definitions into TypeScript codecs: one decode and one encode function per
 * message and per nested struct, branching on `version` the way Kafka's own generator does, with
 * every version condition folded at generation time (no spec lookups at run time).
 */

const FIXED_SIZES: Record<string, number> = {
  bool: 1,
  int8: 1,
  int16: 2,
  uint16: 2,
  int32: 4,
  uint32: 4,
  int64: 8,
  float64: 8,
  uuid: 16,
};

const TS_PRIMITIVES: Record<string, string> = {
  bool: 'boolean',
  int8: 'number',
  int16: 'number',
  uint16: 'number',
  int32: 'number',
  uint32: 'number',
  int64: 'bigint',
  float64: 'number',
  string: 'string',
  uuid: 'string',
  bytes: 'Buffer',
  records: 'Buffer',
};

interface StructInfo {
  specName: string;
  tsName: string;
  fields: FieldSpec[];
  /** Versions in which this struct can occur (the hull of its usages). */
  range: VersionRange;
  needsDefault: boolean;
  needsIsDefault: boolean;
}

interface FieldInfo {
  f: FieldSpec;
  prop: string;
  label: string;
  /** Versions of the enclosing struct that carry the field at all. */
  present: VersionRange;
  /** ... as a tagged field. */
  tagged: VersionRange;
  /** ... in the regular field sequence. */
  regular: VersionRange;
  nullable: VersionRange;
  flexible: VersionRange;
  typeNullable: boolean;
  optional: boolean;
  def: DefaultValue;
  structName: string | null;
}

/** Reader/Writer method suffix for a variable-length primitive. */
function varMethod(type: string, compact: boolean, nullable: boolean): string {
  const base = type === 'string' ? 'String' : 'Bytes';
  const name = `${nullable ? 'Nullable' : ''}${base}`;
  if (compact) return `compact${name}`;
  return nullable ? `nullable${base}` : base.toLowerCase();
}

export class MessageEmitter {
  readonly msg: MessageSpec;
  readonly tsName: string;
  readonly range: VersionRange;
  readonly flexible: VersionRange;
  readonly structs = new Map<string, StructInfo>();
  private readonly common = new Map<string, StructSpec>();

  constructor(msg: MessageSpec, tsName: string) {
    this.msg = msg;
    this.tsName = tsName;
    this.range = parseVersions(msg.validVersions);
    this.flexible = parseVersions(msg.flexibleVersions);
    for (const s of msg.commonStructs ?? []) this.common.set(s.name, s);
    const top: StructInfo = {
      specName: msg.name,
      tsName,
      fields: msg.fields,
      range: this.range,
      needsDefault: false,
      needsIsDefault: false,
    };
    this.structs.set(msg.name, top);
    this.collect(top);
  }

  private structTsName(specName: string): string {
    const base = this.msg.name;
    return specName.startsWith(base) ? specName : base + specName;
  }

  /** Registers nested structs, widening their version hull; re-walks a struct when it widens. */
  private collect(parent: StructInfo): void {
    for (const f of parent.fields) {
      const elem = elementType(f.type);
      if (isPrimitive(elem)) continue;
      const fields = f.fields ?? this.common.get(elem)?.fields;
      if (!fields) throw new Error(`${this.msg.name}.${f.name}: unknown struct ${elem}`);
      const used = intersect(parseVersions(f.versions), parent.range);
      if (isEmpty(used)) continue;
      let info = this.structs.get(elem);
      if (info) {
        if (
          f.fields &&
          info.fields !== fields &&
          JSON.stringify(info.fields) !== JSON.stringify(fields)
        ) {
          throw new Error(`${this.msg.name}: struct ${elem} defined twice differently`);
        }
        const hull = { lo: Math.min(info.range.lo, used.lo), hi: Math.max(info.range.hi, used.hi) };
        if (hull.lo === info.range.lo && hull.hi === info.range.hi) continue;
        info.range = hull;
      } else {
        const tsName = this.structTsName(elem);
        for (const other of this.structs.values()) {
          if (other.tsName === tsName)
            throw new Error(`${this.msg.name}: duplicate type ${tsName}`);
        }
        info = {
          specName: elem,
          tsName,
          fields,
          range: used,
          needsDefault: false,
          needsIsDefault: false,
        };
        this.structs.set(elem, info);
      }
      this.collect(info);
    }
  }

  private fieldInfo(s: StructInfo, f: FieldSpec): FieldInfo {
    const present = intersect(parseVersions(f.versions), s.range);
    const tagged =
      f.tag === undefined ? { lo: 1, hi: 0 } : intersect(parseVersions(f.taggedVersions), present);
    const regular = isEmpty(tagged)
      ? present
      : { lo: present.lo, hi: Math.min(present.hi, tagged.lo - 1) };
    const nullable = intersect(parseVersions(f.nullableVersions), present);
    const def = defaultValueOf(f);
    const elem = elementType(f.type);
    if (elem === 'uuid' && !isEmpty(nullable)) throw new Error(`${f.name}: nullable uuid`);
    return {
      f,
      prop: camelCase(f.name),
      label: `${s.tsName}.${camelCase(f.name)}`,
      present,
      tagged,
      regular,
      nullable,
      flexible:
        f.flexibleVersions === undefined ? this.flexible : parseVersions(f.flexibleVersions),
      typeNullable:
        !isEmpty(nullable) || f.type === 'records' || (def.kind === 'value' && def.value === null),
      optional: present.lo !== s.range.lo || present.hi !== s.range.hi,
      def,
      structName: isPrimitive(elem) ? null : this.structs.get(elem)!.tsName,
    };
  }

  private tsType(fi: FieldInfo): string {
    const elem = elementType(fi.f.type);
    const base = fi.structName ?? TS_PRIMITIVES[elem]!;
    const t = isArray(fi.f.type) ? `${base}[]` : base;
    return fi.typeNullable ? `${t} | null` : t;
  }

  private defaultCode(fi: FieldInfo): string {
    switch (fi.def.kind) {
      case 'value':
        return literal(fi.def.value);
      case 'emptyBytes':
        return 'Buffer.alloc(0)';
      case 'emptyArray':
        return '[]';
      case 'struct':
        this.structByTs(fi.structName!).needsDefault = true;
        return `default${fi.structName}()`;
    }
  }

  private structByTs(tsName: string): StructInfo {
    for (const s of this.structs.values()) if (s.tsName === tsName) return s;
    throw new Error(`no struct ${tsName}`);
  }

  /**
   * A JS expression true when `expr` differs from the field's default. `strict` (tagged fields,
   * struct equality) counts a null as different from a non-null default, exactly like Kafka;
   * the lenient form (guarding versions that cannot carry a field) lets a null pass, since it
   * carries no information the server would lose.
   */
  private nonDefault(fi: FieldInfo, expr: string, strict: boolean): string {
    const parts: string[] = [];
    if (fi.optional) parts.push(`${expr} !== undefined`);
    const def = fi.def;
    if (def.kind === 'value' && def.value === null) {
      parts.push(`${expr} !== null`);
      return parts.join(' && ');
    }
    const nullable = fi.typeNullable;
    if (nullable && !strict) parts.push(`${expr} !== null`);
    const orNull = (diff: string) => (nullable && strict ? `(${expr} === null || ${diff})` : diff);
    if (def.kind === 'value') {
      parts.push(`${expr} !== ${literal(def.value)}`);
    } else if (def.kind === 'emptyBytes' || def.kind === 'emptyArray') {
      parts.push(orNull(`${expr}.length > 0`));
    } else {
      this.structByTs(fi.structName!).needsIsDefault = true;
      parts.push(orNull(`!isDefault${fi.structName}(${expr})`));
    }
    return parts.join(' && ');
  }

  /** The value to encode: optional fields fall back to their default. */
  private valueExpr(fi: FieldInfo): string {
    const ref = `o.${fi.prop}`;
    if (!fi.optional) return ref;
    if (fi.typeNullable) return `${ref} === undefined ? ${this.defaultCode(fi)} : ${ref}`;
    return `${ref} ?? ${this.defaultCode(fi)}`;
  }

  // ---- decoding -------------------------------------------------------------------------------

  private primitiveRead(type: string, flexC: string, nullC: string): string {
    if (type === 'string' || type === 'bytes' || type === 'records') {
      const m = (compact: boolean, nullable: boolean) =>
        `r.${varMethod(type, compact, nullable)}()`;
      return pick(
        flexC,
        pick(nullC, m(true, true), m(true, false)),
        pick(nullC, m(false, true), m(false, false)),
      );
    }
    return `r.${type}()`;
  }

  /**
   * `tagged`: the value sits in a tagged field, where Kafka marks a nullable struct with an
   * unsigned varint (0 = null, 1 = present) instead of the int8 (-1 / 1) of regular fields.
   */
  private readField(fi: FieldInfo, p: VersionRange, target: string, tagged: boolean): string[] {
    const flexC = cond(fi.flexible, p);
    const nullC = cond(fi.nullable, p);
    const type = fi.f.type;
    if (isArray(type)) {
      const elem = elementType(type);
      const elemExpr = fi.structName
        ? `decode${fi.structName}(r, version)`
        : this.primitiveRead(elem, flexC, 'false');
      const elemTs = fi.structName ?? TS_PRIMITIVES[elem]!;
      const onNull =
        nullC === 'true'
          ? [`${target} = null;`]
          : nullC === 'false'
            ? [`throw nullNotAllowed(${quote(fi.label)}, version);`]
            : [
                `if (${not(nullC)}) throw nullNotAllowed(${quote(fi.label)}, version);`,
                `${target} = null;`,
              ];
      return [
        '{',
        `  const n = ${bare(pick(flexC, 'r.compactArrayLength()', 'r.arrayLength()'))};`,
        '  if (n < 0) {',
        ...indent(onNull, 2),
        '  } else {',
        `    const a: ${elemTs}[] = [];`,
        `    for (let i = 0; i < n; i++) a.push(${elemExpr});`,
        `    ${target} = a;`,
        '  }',
        '}',
      ];
    }
    if (fi.structName) {
      const dec = `decode${fi.structName}(r, version)`;
      if (nullC === 'false') return [`${target} = ${dec};`];
      const isNull = tagged ? 'r.unsignedVarint() === 0' : 'r.int8() < 0';
      return [`${target} = ${and(nullC, isNull)} ? null : ${dec};`];
    }
    return [`${target} = ${bare(this.primitiveRead(type, flexC, nullC))};`];
  }

  private emitDecoder(s: StructInfo, fields: FieldInfo[]): string[] {
    const out = [`export function decode${s.tsName}(r: Reader, version: number): ${s.tsName} {`];
    out.push(`  const o: ${s.tsName} = {`);
    for (const fi of fields) out.push(`    ${fi.prop}: ${this.defaultCode(fi)},`);
    out.push('  };');
    const body = new Statements();
    for (const fi of fields) {
      if (isEmpty(fi.regular)) continue;
      body.add(cond(fi.regular, s.range), this.readField(fi, fi.regular, `o.${fi.prop}`, false));
    }
    const flexC = cond(this.flexible, s.range);
    const tagged = fields.filter((fi) => !isEmpty(fi.tagged)).sort((a, b) => a.f.tag! - b.f.tag!);
    if (tagged.length === 0) {
      body.add(flexC, ['r.skipTaggedFields();']);
    } else {
      const flexRange = intersect(this.flexible, s.range);
      const cases: string[] = [];
      for (const fi of tagged) {
        const read = this.readField(fi, fi.tagged, `o.${fi.prop}`, true);
        const c = cond(fi.tagged, flexRange);
        cases.push(
          `case ${fi.f.tag}: {`,
          ...indent(c === 'true' ? read : branch(c, read, ['r.skip(size);'])),
          '  break;',
          '}',
        );
      }
      const section = [
        'const tagCount = r.unsignedVarint();',
        'for (let t = 0; t < tagCount; t++) {',
        '  const tag = r.unsignedVarint();',
        '  const size = r.unsignedVarint();',
        '  switch (tag) {',
        ...indent(cases, 2),
        '    default:',
        '      r.skip(size);',
        '  }',
        '}',
      ];
      body.add(flexC, section);
    }
    out.push(...indent(body.done()), '  return o;', '}');
    return out;
  }

  // ---- encoding -------------------------------------------------------------------------------

  private writeVar(
    fi: FieldInfo,
    type: string,
    flexC: string,
    nullC: string,
    val: string,
    w: string,
  ): string[] {
    const call = (compact: boolean, nullable: boolean, v: string) =>
      `${w}.${varMethod(type, compact, nullable)}(${v});`;
    const nonNull = fi.typeNullable ? `requireNonNull(${val}, ${quote(fi.label)}, version)` : val;
    return branch(
      nullC,
      branch(flexC, [call(true, true, val)], [call(false, true, val)]),
      branch(flexC, [call(true, false, nonNull)], [call(false, false, nonNull)]),
    );
  }

  private writeField(
    fi: FieldInfo,
    p: VersionRange,
    val: string,
    w: string,
    tagged: boolean,
  ): string[] {
    const flexC = cond(fi.flexible, p);
    const nullC = cond(fi.nullable, p);
    const type = fi.f.type;
    const nullThrow = `throw nullNotAllowed(${quote(fi.label)}, version);`;
    if (isArray(type)) {
      const elem = elementType(type);
      const elemLines = fi.structName
        ? [`encode${fi.structName}(${w}, version, e);`]
        : elem === 'string' || elem === 'bytes'
          ? branch(
              flexC,
              [`${w}.${varMethod(elem, true, false)}(e);`],
              [`${w}.${varMethod(elem, false, false)}(e);`],
            )
          : [`${w}.${elem}(e);`];
      const loop =
        elemLines.length === 1
          ? [`for (const e of a) ${elemLines[0]}`]
          : ['for (const e of a) {', ...indent(elemLines), '}'];
      const body = [
        ...branch(flexC, [`${w}.compactArrayLength(a.length);`], [`${w}.arrayLength(a.length);`]),
        ...loop,
      ];
      if (!fi.typeNullable) return ['{', `  const a = ${val};`, ...indent(body), '}'];
      const writeNull = branch(flexC, [`${w}.compactArrayLength(-1);`], [`${w}.arrayLength(-1);`]);
      const onNull =
        nullC === 'true'
          ? writeNull
          : nullC === 'false'
            ? [nullThrow]
            : [`if (${not(nullC)}) ${nullThrow}`, ...writeNull];
      return [
        '{',
        `  const a = ${val};`,
        '  if (a === null) {',
        ...indent(onNull, 2),
        '  } else {',
        ...indent(body, 2),
        '  }',
        '}',
      ];
    }
    if (fi.structName) {
      const enc = (v: string) => `encode${fi.structName}(${w}, version, ${v});`;
      if (nullC === 'false') {
        return [enc(fi.typeNullable ? `requireNonNull(${val}, ${quote(fi.label)}, version)` : val)];
      }
      const [nullMark, presentMark] = tagged
        ? [`${w}.unsignedVarint(0);`, `${w}.unsignedVarint(1);`]
        : [`${w}.int8(-1);`, `${w}.int8(1);`];
      const onNull = nullC === 'true' ? [nullMark] : [`if (${not(nullC)}) ${nullThrow}`, nullMark];
      return [
        '{',
        `  const v = ${val};`,
        '  if (v === null) {',
        ...indent(onNull, 2),
        '  } else {',
        ...indent(branch(nullC, [presentMark], []), 2),
        `    ${enc('v')}`,
        '  }',
        '}',
      ];
    }
    if (type === 'string' || type === 'bytes' || type === 'records') {
      return this.writeVar(fi, type === 'records' ? 'bytes' : type, flexC, nullC, val, w);
    }
    return [`${w}.${type}(${val});`];
  }

  private emitEncoder(s: StructInfo, fields: FieldInfo[]): string[] {
    const body = new Statements();
    for (const fi of fields) {
      const regularC = cond(fi.regular, s.range);
      // Versions that carry the field neither way must not lose a non-default value (unless ignorable).
      let absent: string[] = [];
      if (!fi.f.ignorable && regularC !== 'true') {
        const c = and(not(cond(fi.tagged, s.range)), this.nonDefault(fi, `o.${fi.prop}`, false));
        if (c !== 'false')
          absent = [`if (${c}) {`, `  throw fieldNotSupported(${quote(fi.label)}, version);`, '}'];
      }
      const write = isEmpty(fi.regular)
        ? []
        : this.writeField(fi, fi.regular, this.valueExpr(fi), 'w', false);
      body.add(regularC, write, absent);
    }
    const flexC = cond(this.flexible, s.range);
    const tagged = fields.filter((fi) => !isEmpty(fi.tagged)).sort((a, b) => a.f.tag! - b.f.tag!);
    if (tagged.length === 0) {
      body.add(flexC, ['w.unsignedVarint(0);']);
    } else {
      const flexRange = intersect(this.flexible, s.range);
      const present = (fi: FieldInfo) =>
        and(cond(fi.tagged, flexRange), this.nonDefault(fi, `o.${fi.prop}`, true));
      const section = ['let tagCount = 0;'];
      for (const fi of tagged) section.push(`if (${present(fi)}) tagCount++;`);
      section.push('w.unsignedVarint(tagCount);');
      for (const fi of tagged) {
        const type = fi.f.type;
        const fixed = !isArray(type) && FIXED_SIZES[type] !== undefined;
        const write = fixed
          ? [
              `w.unsignedVarint(${fi.f.tag});`,
              `w.unsignedVarint(${FIXED_SIZES[type]});`,
              ...this.writeField(fi, fi.tagged, this.valueExpr(fi), 'w', true),
            ]
          : [
              `w.unsignedVarint(${fi.f.tag});`,
              'const tw = new Writer();',
              ...this.writeField(fi, fi.tagged, this.valueExpr(fi), 'tw', true),
              'w.unsignedVarint(tw.length);',
              'w.append(tw);',
            ];
        section.push(...branch(present(fi), write, []));
      }
      body.add(flexC, section);
    }
    return [
      `export function encode${s.tsName}(w: Writer, version: number, o: ${s.tsName}): void {`,
      ...indent(body.done()),
      '}',
    ];
  }

  // ---- types and helpers ----------------------------------------------------------------------

  private emitInterface(s: StructInfo, fields: FieldInfo[]): string[] {
    const out = [`export interface ${s.tsName} {`];
    for (const fi of fields) {
      const notes = [`versions ${fi.f.versions}`];
      if (fi.f.nullableVersions) notes.push(`nullable ${fi.f.nullableVersions}`);
      if (fi.f.tag !== undefined) notes.push(`tag ${fi.f.tag} in ${fi.f.taggedVersions}`);
      if (fi.f.default !== undefined) notes.push(`default ${String(fi.f.default)}`);
      const about = (fi.f.about ?? '').replace(/\*\//g, '* /').replace(/\s+/g, ' ').trim();
      out.push(`  /** ${about ? `${about} ` : ''}(${notes.join(', ')}) */`);
      out.push(`  ${fi.prop}${fi.optional ? '?' : ''}: ${this.tsType(fi)};`);
    }
    out.push('}');
    return out;
  }

  private emitDefault(s: StructInfo, fields: FieldInfo[]): string[] {
    return [
      `export function default${s.tsName}(): ${s.tsName} {`,
      '  return {',
      ...fields.map((fi) => `    ${fi.prop}: ${this.defaultCode(fi)},`),
      '  };',
      '}',
    ];
  }

  private emitIsDefault(s: StructInfo, fields: FieldInfo[]): string[] {
    if (fields.length === 0)
      return [`function isDefault${s.tsName}(_o: ${s.tsName}): boolean {`, '  return true;', '}'];
    const checks = fields.map((fi) => `!(${this.nonDefault(fi, `o.${fi.prop}`, true)})`);
    return [
      `function isDefault${s.tsName}(o: ${s.tsName}): boolean {`,
      '  return (',
      `    ${checks.join(' &&\n    ')}`,
      '  );',
      '}',
    ];
  }

  /** Interfaces, codecs and (on demand) default/isDefault helpers for the message and its structs. */
  emit(): string[] {
    const sections: string[][] = [];
    const byStruct = new Map<StructInfo, FieldInfo[]>();
    for (const s of this.structs.values())
      byStruct.set(
        s,
        s.fields.map((f) => this.fieldInfo(s, f)),
      );
    for (const [s, fields] of byStruct) {
      sections.push(this.emitInterface(s, fields));
      sections.push(this.emitDecoder(s, fields));
      sections.push(this.emitEncoder(s, fields));
    }
    // Helpers are requested while emitting (and by each other): emit until nothing new is asked for.
    const emittedDefault = new Set<StructInfo>();
    const emittedIsDefault = new Set<StructInfo>();
    for (let changed = true; changed;) {
      changed = false;
      for (const [s, fields] of byStruct) {
        if (s.needsDefault && !emittedDefault.has(s)) {
          emittedDefault.add(s);
          sections.push(this.emitDefault(s, fields));
          changed = true;
        }
        if (s.needsIsDefault && !emittedIsDefault.has(s)) {
          emittedIsDefault.add(s);
          sections.push(this.emitIsDefault(s, fields));
          changed = true;
        }
      }
    }
    return sections.flatMap((sec) => ['', ...sec]);
  }
}
