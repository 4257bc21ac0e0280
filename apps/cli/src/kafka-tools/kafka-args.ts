import { usageError } from '../errors.ts';

/**
 * Kafka's command line tools parse their flags with jopt-simple: `--name value` or `--name=value`,
 * repeatable options collect every value, and a few options take an optional value. This reads the
 * same syntax for one tool, given which flags it knows; anything else is a usage error naming the
 * tool, so a flag this project does not implement is never silently dropped.
 */
export interface KafkaToolSpec {
  tool: string;
  /** Flags without a value (`--from-beginning`). */
  switches: readonly string[];
  /** Flags with a value (`--topic test`); repeatable ones collect all values. */
  options: readonly string[];
  /** Flags whose value may be left out (`--compression-codec` means gzip). */
  optionalValues?: Readonly<Record<string, string>>;
  /** Accepted and ignored (client tuning with no equivalent), reported in one note line. */
  ignored?: readonly string[];
  /** Accepted and ignored, without a value. */
  ignoredSwitches?: readonly string[];
}

export interface KafkaArgs {
  switches: Set<string>;
  options: Map<string, string[]>;
  positionals: string[];
  ignored: string[];
}

export function parseKafkaArgs(spec: KafkaToolSpec, argv: readonly string[]): KafkaArgs {
  const parsed: KafkaArgs = {
    switches: new Set(),
    options: new Map(),
    positionals: [],
    ignored: [],
  };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (!arg.startsWith('--') || arg === '--') {
      parsed.positionals.push(arg);
      continue;
    }
    const eq = arg.indexOf('=');
    const name = (eq < 0 ? arg : arg.slice(0, eq)).slice(2);
    const inline = eq < 0 ? undefined : arg.slice(eq + 1);
    if (spec.switches.includes(name) || spec.ignoredSwitches?.includes(name)) {
      if (inline !== undefined) throw usageError(`${spec.tool}: --${name} takes no value`);
      if (spec.switches.includes(name)) parsed.switches.add(name);
      else parsed.ignored.push(`--${name}`);
      continue;
    }
    const takesValue = spec.options.includes(name) || spec.ignored?.includes(name);
    if (!takesValue && !(spec.optionalValues && name in spec.optionalValues)) {
      throw usageError(`${spec.tool}: ${arg} is not supported here (see ${spec.tool} --help)`);
    }
    let value = inline;
    if (value === undefined) {
      const next = argv[i + 1];
      if (next !== undefined && !next.startsWith('--')) {
        value = next;
        i += 1;
      } else if (spec.optionalValues && name in spec.optionalValues) {
        value = spec.optionalValues[name];
      } else {
        throw usageError(`${spec.tool}: --${name} needs a value`);
      }
    }
    if (spec.ignored?.includes(name)) {
      parsed.ignored.push(`--${name}`);
      continue;
    }
    parsed.options.set(name, [...(parsed.options.get(name) ?? []), value]);
  }
  return parsed;
}

/** The last value given for a flag (Kafka's tools take the last one too). */
export function last(args: KafkaArgs, name: string): string | undefined {
  const values = args.options.get(name);
  return values?.[values.length - 1];
}

export function all(args: KafkaArgs, name: string): string[] {
  return args.options.get(name) ?? [];
}

/** `key=value` pairs of a repeatable flag (`--property print.key=true`). */
export function pairsOf(tool: string, args: KafkaArgs, name: string): [string, string][] {
  return all(args, name).map((text) => {
    const at = text.indexOf('=');
    if (at <= 0) throw usageError(`${tool}: --${name} expects key=value, got "${text}"`);
    return [text.slice(0, at).trim(), text.slice(at + 1)];
  });
}
