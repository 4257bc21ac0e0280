/**
 * Just enough of Prisma's schema language to compare models: the scalar fields and attributes the
 * streaming client's models use. Anything else throws rather than being skipped, so a model this
 * cannot read fails the drift test instead of passing it. (Prisma 7 exposes no offline parser for
 * schema files short of its internal packages, and a parser dependency would cost every worktree an
 * install for three small models.)
 */
export interface PrismaField {
  name: string;
  type: string;
  optional: boolean;
  list: boolean;
  /** Field attributes as written, whitespace removed, sorted: `@map("event_id")`, `@db.Uuid`. */
  attributes: string[];
}

export interface PrismaModel {
  name: string;
  fields: PrismaField[];
  /** Block attributes as written, whitespace removed: `@@id([topic,partition])`. */
  blockAttributes: string[];
}

const MODEL_START = /^model\s+(\w+)\s*\{$/;
const FIELD = /^(\w+)\s+(\w+)(\?|\[\])?\s*(.*)$/;
// One attribute: `@name`, `@db.Name`, with arguments that may hold one level of nested calls.
const ATTRIBUTE = /@[\w.]+(?:\((?:[^()]|\([^()]*\))*\))?/g;

/** A model block of a schema file: its name and its lines, comments and blank lines removed. */
export interface ModelBlock {
  name: string;
  lines: string[];
}

/** The model blocks of a schema file (or fragment), unparsed: enums, generators and others skipped. */
export function readModelBlocks(source: string): ModelBlock[] {
  const blocks: ModelBlock[] = [];
  let current: ModelBlock | undefined;
  for (const raw of source.split('\n')) {
    const line = raw.replace(/\/\/.*$/, '').trim();
    if (line === '') continue;
    if (current === undefined) {
      const start = MODEL_START.exec(line);
      if (start) current = { name: start[1] ?? '', lines: [] };
    } else if (line === '}') {
      blocks.push(current);
      current = undefined;
    } else {
      current.lines.push(line);
    }
  }
  if (current) throw new Error(`model ${current.name} is not closed`);
  return blocks;
}

/** A model's fields and block attributes. Layout does not count. */
export function parseModel(block: ModelBlock): PrismaModel {
  const model: PrismaModel = { name: block.name, fields: [], blockAttributes: [] };
  for (const line of block.lines) {
    if (line.startsWith('@@')) model.blockAttributes.push(line.replace(/\s+/g, ''));
    else model.fields.push(parseField(block.name, line));
  }
  return model;
}

/** Every model of a schema file (or fragment), by name. */
export function readPrismaModels(source: string): Map<string, PrismaModel> {
  return new Map(readModelBlocks(source).map((block) => [block.name, parseModel(block)]));
}

function parseField(model: string, line: string): PrismaField {
  const match = FIELD.exec(line);
  if (!match) throw new Error(`model ${model}: cannot read the field line "${line}"`);
  const rest = match[4] ?? '';
  const attributes = [...rest.matchAll(ATTRIBUTE)].map((found) => found[0].replace(/\s+/g, ''));
  if (rest.replace(ATTRIBUTE, '').trim() !== '') {
    throw new Error(`model ${model}: cannot read the attributes of "${line}"`);
  }
  return {
    name: match[1] ?? '',
    type: match[2] ?? '',
    optional: match[3] === '?',
    list: match[3] === '[]',
    attributes: attributes.sort(),
  };
}

/** The table a model maps to (`@@map`), or its name. */
export function tableOf(model: Pick<PrismaModel, 'name' | 'blockAttributes'>): string {
  const map = model.blockAttributes.find((attribute) => attribute.startsWith('@@map('));
  return map ? unquote(map.slice('@@map('.length, -1)) : model.name;
}

/** The table a model block maps to, read without parsing its fields. */
export function tableOfBlock(block: ModelBlock): string {
  const blockAttributes = block.lines
    .filter((line) => line.startsWith('@@'))
    .map((line) => line.replace(/\s+/g, ''));
  return tableOf({ name: block.name, blockAttributes });
}

/** The column a field maps to (`@map`), or its name. */
export function columnOf(field: PrismaField): string {
  const map = field.attributes.find((attribute) => attribute.startsWith('@map('));
  return map ? unquote(map.slice('@map('.length, -1)) : field.name;
}

/** The primary key's columns, in order (`@id` on a field or `@@id([...])`). */
export function primaryKeyOf(model: PrismaModel): string[] {
  const single = model.fields.find((field) => field.attributes.includes('@id'));
  if (single) return [columnOf(single)];
  const compound = model.blockAttributes.find((attribute) => attribute.startsWith('@@id(['));
  if (!compound) return [];
  const names = compound.slice('@@id(['.length, -2).split(',');
  return names.map((name) => {
    const field = model.fields.find((candidate) => candidate.name === name);
    if (!field) throw new Error(`model ${model.name}: @@id names no field ${name}`);
    return columnOf(field);
  });
}

/**
 * The PostgreSQL column type Prisma gives a field, as information_schema spells it (with the
 * precision of a timestamp).
 */
export function columnTypeOf(field: PrismaField): string {
  const native = field.attributes.find((attribute) => attribute.startsWith('@db.'));
  switch (field.type) {
    case 'String':
      if (native === '@db.Uuid') return 'uuid';
      if (native === undefined) return 'text';
      break;
    case 'Int':
      if (native === undefined) return 'integer';
      break;
    case 'BigInt':
      if (native === undefined) return 'bigint';
      break;
    case 'Json':
      if (native === undefined) return 'jsonb';
      break;
    case 'Boolean':
      if (native === undefined) return 'boolean';
      break;
    case 'DateTime': {
      if (native === undefined) return 'timestamp without time zone(3)';
      const precision = /^@db\.Timestamptz\((\d+)\)$/.exec(native);
      if (precision) return `timestamp with time zone(${precision[1]})`;
      break;
    }
  }
  throw new Error(`field ${field.name}: no known column type for ${field.type} ${native ?? ''}`);
}

function unquote(text: string): string {
  const match = /^"([^"]*)"$/.exec(text);
  if (!match) throw new Error(`expected a quoted name, found ${text}`);
  return match[1] ?? '';
}
