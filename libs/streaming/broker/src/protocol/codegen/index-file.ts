import { quote } from './code-text.ts';
import type { DefinitionsSource } from './kafka-definitions.ts';
import { isEmpty, kebabCase, parseVersions } from './spec.ts';
import type { ApiDefinition } from './spec.ts';

/** `PRODUCE_API` for Produce: the name of an API's codec constant in its module. */
export function apiConstant(api: ApiDefinition): string {
  return `${kebabCase(api.name).replace(/-/g, '_').toUpperCase()}_API`;
}

function versionUnion(api: ApiDefinition): string {
  const range = parseVersions(api.request.validVersions);
  const versions: number[] = [];
  for (let v = range.lo; v <= range.hi; v++) versions.push(v);
  return versions.join(' | ');
}

/** One interface member per API: `[ApiKey.Produce]: <type>;`. */
function byKey(apis: ApiDefinition[], type: (api: ApiDefinition) => string): string[] {
  return apis.map((a) => `  [ApiKey.${a.name}]: ${type(a)};`);
}

/**
 * The API table (`index.ts`): the API keys as named constants, the typed map from each key to its
 * request and response types and valid versions, and the entries that import each API's codecs on
 * first use. Only types are imported from the codec modules: a value import here would load every
 * codec at start-up again.
 */
export function emitIndexFile(
  banner: string,
  apis: ApiDefinition[],
  source: DefinitionsSource,
): string {
  const entry = (a: ApiDefinition) => {
    const range = parseVersions(a.request.validVersions);
    const flexible = parseVersions(a.request.flexibleVersions);
    const info = [
      `apiKey: ${a.apiKey}`,
      `name: ${quote(a.name)}`,
      `minVersion: ${range.lo}`,
      `maxVersion: ${range.hi}`,
      `flexibleMin: ${isEmpty(flexible) ? 'null' : flexible.lo}`,
      `latestVersionUnstable: ${a.request.latestVersionUnstable === true}`,
    ].join(', ');
    return [
      `  [ApiKey.${a.name}]: new ApiEntry<${a.request.name}, ${a.response.name}>(`,
      `    { ${info} },`,
      `    async () => (await import('./${kebabCase(a.name)}.ts')).${apiConstant(a)},`,
      '  ),',
    ];
  };
  return [
    banner,
    "import { ApiEntry } from '../api-spec.ts';",
    ...apis.map(
      (a) =>
        `import type { ${a.request.name}, ${a.response.name} } from './${kebabCase(a.name)}.ts';`,
    ),
    '',
    ...apis.map((a) => `export type * from './${kebabCase(a.name)}.ts';`),
    '',
    '/** The Kafka definitions these codecs were generated from. */',
    'export const PROTOCOL_SOURCE = {',
    `  commit: ${quote(source.commit)},`,
    `  sha256: ${quote(source.sha256)},`,
    '} as const;',
    '',
    '/** Kafka API keys by API name. */',
    'export const ApiKey = {',
    ...apis.map((a) => `  ${a.name}: ${a.apiKey},`),
    '} as const;',
    'export type ApiKey = (typeof ApiKey)[keyof typeof ApiKey];',
    '',
    '/** The request body of each API, by API key (one type for every version; see each field). */',
    'export interface ApiRequests {',
    ...byKey(apis, (a) => a.request.name),
    '}',
    '',
    '/** The response body of each API, by API key. */',
    'export interface ApiResponses {',
    ...byKey(apis, (a) => a.response.name),
    '}',
    '',
    '/** The versions Kafka defines for each API, by API key. */',
    'export interface ApiValidVersions {',
    ...byKey(apis, versionUnion),
    '}',
    '',
    'export type ApiRequest<K extends ApiKey> = ApiRequests[K];',
    'export type ApiResponse<K extends ApiKey> = ApiResponses[K];',
    'export type ApiVersion<K extends ApiKey> = ApiValidVersions[K];',
    '',
    "/** Each API key with its entry, typed with that API's request and response. */",
    'export type ApiEntries = { readonly [K in ApiKey]: ApiEntry<ApiRequest<K>, ApiResponse<K>> };',
    '',
    '/**',
    ' * Every API a broker can serve: version ranges at once, codecs imported on first use',
    ' * (`ApiEntry.load()`, then `ApiEntry.codecs`).',
    ' */',
    'export const API_ENTRIES: ApiEntries = {',
    ...apis.flatMap(entry),
    '};',
    '',
    '/** The same entries by numeric key, for code that starts from a number read off the wire. */',
    'export const API_BY_KEY: ReadonlyMap<number, ApiEntry> = new Map<number, ApiEntry>(',
    '  Object.values(API_ENTRIES).map((entry: ApiEntry) => [entry.apiKey, entry]),',
    ');',
    '',
    '/** Whether `key` is an API key of the protocol definitions. */',
    'export function isApiKey(key: number): key is ApiKey {',
    '  return API_BY_KEY.has(key);',
    '}',
    '',
  ].join('\n');
}
