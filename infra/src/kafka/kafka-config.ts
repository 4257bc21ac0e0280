/**
 * The checks Kafka 3.9 applies to one KRaft node's server.properties when it starts (KafkaConfig's
 * validateValues and the parsers it calls), over the properties the image renders. Messages follow
 * Kafka's own, so a failure here reads like the container log it spares you.
 */

export interface Endpoint {
  /** The listener name, upper-cased as Kafka normalises it. */
  name: string;
  /** Empty for "every interface" (`INTERNAL://:9092`). */
  host: string;
  port: number;
}

export interface Voter {
  id: number;
  host: string;
  port: number;
}

export interface KafkaNodeConfig {
  nodeId: number;
  roles: string[];
  listeners: Endpoint[];
  /** advertised.listeners, or the non-controller listeners when it is unset. */
  advertised: Endpoint[];
  controllerListenerNames: string[];
  interBrokerListenerName: string;
  voters: Voter[];
  /** auto.create.topics.enable (Kafka's default: true). */
  autoCreateTopics: boolean;
  /** An integer property with Kafka's default where it is unset (NaN when it does not parse). */
  int(name: string): number;
}

const SECURITY_PROTOCOLS = ['PLAINTEXT', 'SSL', 'SASL_PLAINTEXT', 'SASL_SSL'];
const DEFAULT_PROTOCOL_MAP = SECURITY_PROTOCOLS.map((p) => `${p}:${p}`).join(',');

/** Kafka's defaults for the integer settings the cluster checks read. */
const INT_DEFAULTS: Readonly<Record<string, number>> = {
  'default.replication.factor': 1,
  'min.insync.replicas': 1,
  'offsets.topic.replication.factor': 3,
  'transaction.state.log.replication.factor': 3,
  'transaction.state.log.min.isr': 2,
  'num.partitions': 1,
};
/** The settings of INT_DEFAULTS that Kafka's ConfigDef requires to be at least 1. */
const AT_LEAST_ONE = [
  'min.insync.replicas',
  'offsets.topic.replication.factor',
  'transaction.state.log.replication.factor',
  'transaction.state.log.min.isr',
  'num.partitions',
];

/** Parses and validates one node's properties: what it holds, and every reason Kafka would stop. */
export function readKafkaConfig(properties: ReadonlyMap<string, string>): {
  config: KafkaNodeConfig;
  problems: string[];
} {
  const problems: string[] = [];
  const get = (name: string): string | undefined => properties.get(name)?.trim();
  const csv = (name: string): string[] =>
    (get(name) ?? '')
      .split(',')
      .map((part) => part.trim())
      .filter((part) => part !== '');

  const int = (name: string): number => {
    const raw = get(name);
    if (raw === undefined) return INT_DEFAULTS[name] ?? Number.NaN;
    return /^-?\d+$/.test(raw) ? Number(raw) : Number.NaN;
  };
  for (const name of [...Object.keys(INT_DEFAULTS), 'node.id']) {
    const raw = get(name);
    if (raw === undefined) continue;
    if (Number.isNaN(int(name)))
      problems.push(`Invalid value ${raw} for configuration ${name}: Not a number of type INT`);
    else if (AT_LEAST_ONE.includes(name) && int(name) < 1)
      problems.push(`Invalid value ${raw} for configuration ${name}: Value must be at least 1`);
  }

  const roles = csv('process.roles');
  for (const role of roles)
    if (role !== 'broker' && role !== 'controller') problems.push(`Unknown process role ${role}`);
  if (roles.length === 0)
    problems.push('process.roles is not set: this check covers KRaft nodes only');
  const nodeId = get('node.id') === undefined ? -1 : int('node.id');
  if (!(nodeId >= 0))
    problems.push(
      'Missing configuration `node.id` which is required when `process.roles` is defined (i.e. when running in KRaft mode).',
    );

  const controllerListenerNames = csv('controller.listener.names').map((n) => n.toUpperCase());
  const protocols = protocolMap(get('listener.security.protocol.map'), controllerListenerNames, {
    explicit: properties.has('listener.security.protocol.map'),
    problems,
  });

  const listeners = parseEndpoints('listeners', get('listeners') ?? 'PLAINTEXT://:9092', problems);
  requireDistinct('listeners', listeners, get('listeners') ?? '', true, problems);
  const advertisedValue = get('advertised.listeners');
  const advertised =
    advertisedValue === undefined
      ? listeners.filter((l) => !controllerListenerNames.includes(l.name))
      : parseEndpoints('advertised.listeners', advertisedValue, problems);
  if (advertisedValue !== undefined)
    requireDistinct('advertised.listeners', advertised, advertisedValue, false, problems);
  for (const endpoint of [...listeners, ...advertised])
    if (!protocols.has(endpoint.name))
      problems.push(
        `No security protocol defined for listener ${endpoint.name} (listener.security.protocol.map has ${[...protocols.keys()].join(',')})`,
      );

  const interBrokerListenerName = (get('inter.broker.listener.name') ?? 'PLAINTEXT').toUpperCase();
  if (!protocols.has(interBrokerListenerName))
    problems.push(
      `Listener with name ${interBrokerListenerName} defined in inter.broker.listener.name not found in listener.security.protocol.map.`,
    );

  const voters = parseVoters(get('controller.quorum.voters') ?? '', problems);
  const autoCreate = (get('auto.create.topics.enable') ?? 'true').toLowerCase();
  if (autoCreate !== 'true' && autoCreate !== 'false')
    problems.push(
      `Invalid value ${autoCreate} for configuration auto.create.topics.enable: Expected value to be either true or false`,
    );
  const config: KafkaNodeConfig = {
    nodeId,
    roles,
    listeners,
    advertised,
    controllerListenerNames,
    interBrokerListenerName,
    voters,
    autoCreateTopics: autoCreate !== 'false',
    int,
  };
  problems.push(...kraftProblems(config));
  if (csv('log.dirs').length === 0 && csv('log.dir').length === 0)
    problems.push('At least one log directory must be defined via log.dirs or log.dir.');
  return { config, problems };
}

/** validateValues' KRaft rules for the broker and controller roles. */
function kraftProblems(c: KafkaNodeConfig): string[] {
  const problems: string[] = [];
  const listenerNames = new Set(c.listeners.map((l) => l.name));
  const brokerAdvertised = c.advertised.filter((l) => !c.controllerListenerNames.includes(l.name));
  const brokerAdvertisedNames = new Set(brokerAdvertised.map((l) => l.name));
  const isBroker = c.roles.includes('broker');
  const isController = c.roles.includes('controller');

  if (c.voters.length === 0)
    problems.push(
      'If using process.roles, controller.quorum.voters must contain a parseable set of controllers.',
    );
  if (isController) {
    if (c.voters.length > 0 && !c.voters.some((v) => v.id === c.nodeId))
      problems.push(
        `If process.roles contains the 'controller' role, the node id ${c.nodeId} must be included in the set of voters controller.quorum.voters=${c.voters.map((v) => v.id).join(',')}`,
      );
    if (!c.controllerListenerNames.some((name) => listenerNames.has(name)))
      problems.push(
        "controller.listener.names must contain at least one value appearing in the 'listeners' configuration when running the KRaft controller role",
      );
    else if (!c.controllerListenerNames.every((name) => listenerNames.has(name)))
      problems.push(
        "controller.listener.names must only contain values appearing in the 'listeners' configuration when running the KRaft controller role",
      );
  }
  if (isBroker) {
    if (brokerAdvertised.length === 0)
      problems.push(
        'There must be at least one broker advertised listener. Perhaps all listeners appear in controller.listener.names?',
      );
    if (!brokerAdvertisedNames.has(c.interBrokerListenerName))
      problems.push(
        `inter.broker.listener.name must be a listener name defined in advertised.listeners. The valid options based on currently configured listeners are ${[...brokerAdvertisedNames].join(',')}`,
      );
    const unknown = [...brokerAdvertisedNames].filter((name) => !listenerNames.has(name));
    if (unknown.length > 0)
      problems.push(
        `advertised.listeners listener names must be equal to or a subset of the ones defined in listeners. Found ${unknown.join(',')}`,
      );
    // Kafka up to 3.8 refused this outright; 3.9 tolerates it for the controller role but never hands
    // the address to clients. Keeping it out keeps the file valid for both.
    const controllerAdvertised = c.advertised.filter((l) =>
      c.controllerListenerNames.includes(l.name),
    );
    if (controllerAdvertised.length > 0)
      problems.push(
        `The advertised.listeners config must not contain KRaft controller listeners from controller.listener.names (${controllerAdvertised.map((l) => l.name).join(',')}) when process.roles contains the broker role because Kafka clients that send requests via advertised listeners do not send requests to KRaft controllers -- they only send requests to KRaft brokers.`,
      );
  }
  if (c.advertised.some((l) => l.host === '0.0.0.0'))
    problems.push(
      'advertised.listeners cannot use the nonroutable meta-address 0.0.0.0. Use a routable IP address.',
    );
  return problems;
}

/**
 * listener.security.protocol.map as KafkaConfig.effectiveListenerSecurityProtocolMap reads it: an
 * unset map is the default one plus PLAINTEXT for the controller listeners (when nothing uses SSL or
 * SASL); a set map is taken as it is, so every listener must be in it.
 */
function protocolMap(
  value: string | undefined,
  controllerListenerNames: string[],
  context: { explicit: boolean; problems: string[] },
): Map<string, string> {
  const map = new Map<string, string>();
  for (const entry of (value ?? DEFAULT_PROTOCOL_MAP).split(',')) {
    if (entry.trim() === '') continue;
    const [name, protocol, ...rest] = entry.split(':').map((part) => part.trim());
    if (!name || !protocol || rest.length > 0) {
      context.problems.push(
        `Error parsing configuration property 'listener.security.protocol.map': "${entry}" is not NAME:PROTOCOL`,
      );
      continue;
    }
    if (!SECURITY_PROTOCOLS.includes(protocol.toUpperCase()))
      context.problems.push(
        `Invalid security protocol \`${protocol}\` defined in listener.security.protocol.map`,
      );
    map.set(name.toUpperCase(), protocol.toUpperCase());
  }
  if (!context.explicit)
    for (const name of controllerListenerNames) if (!map.has(name)) map.set(name, 'PLAINTEXT');
  return map;
}

/** `NAME://host:port`, as EndPoint.parseListenerName and Kafka's listener regex read it. */
function parseEndpoints(property: string, value: string, problems: string[]): Endpoint[] {
  const endpoints: Endpoint[] = [];
  for (const spec of value
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)) {
    const match = /^(.*):\/\/\[?([0-9a-zA-Z\-%._:]*)\]?:(-?[0-9]+)$/.exec(spec);
    if (!match?.[1] || match[2] === undefined || !match[3]) {
      problems.push(`Unable to parse ${spec} to a broker endpoint (in ${property})`);
      continue;
    }
    endpoints.push({ name: match[1].toUpperCase(), host: match[2], port: Number(match[3]) });
  }
  return endpoints;
}

function requireDistinct(
  property: string,
  endpoints: Endpoint[],
  value: string,
  ports: boolean,
  problems: string[],
): void {
  if (new Set(endpoints.map((e) => e.name)).size !== endpoints.length)
    problems.push(`Each listener must have a different name, ${property}: ${value}`);
  const bound = endpoints.map((e) => e.port).filter((port) => port !== 0);
  if (ports && new Set(bound).size !== bound.length)
    problems.push(`Each listener must have a different port, ${property}: ${value}`);
}

/** controller.quorum.voters: `id@host:port`, comma-separated (QuorumConfig.parseVoterConnections). */
function parseVoters(value: string, problems: string[]): Voter[] {
  const voters: Voter[] = [];
  for (const spec of value
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)) {
    const match = /^(\d+)@\[?([^\]@]+?)\]?:(\d+)$/.exec(spec);
    if (!match?.[1] || !match[2] || !match[3]) {
      problems.push(
        `Invalid value ${value} for configuration controller.quorum.voters: "${spec}" is not {id}@{host}:{port}`,
      );
      continue;
    }
    voters.push({ id: Number(match[1]), host: match[2], port: Number(match[3]) });
  }
  if (new Set(voters.map((v) => v.id)).size !== voters.length)
    problems.push(`controller.quorum.voters names a node id twice: ${value}`);
  return voters;
}
