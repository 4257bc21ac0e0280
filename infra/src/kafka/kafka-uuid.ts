/**
 * Kafka's `Uuid.fromString`, which `kafka-storage format --cluster-id` applies to CLUSTER_ID before
 * it writes anything: at most 24 characters, decoded with Java's URL-safe base64 decoder (padding
 * optional, but correct when present), to exactly 16 bytes. A 22-character id such as the one
 * `kafka-storage random-uuid` prints is the canonical form. Returns why Kafka would refuse the value,
 * in Kafka's words, or undefined when it would accept it.
 */
export function kafkaUuidProblem(value: string): string | undefined {
  if (value.length > 24)
    return `Input string with prefix \`${value.slice(0, 24)}\` is too long to be decoded as a base64 UUID`;
  const decoded = urlBase64DecodedLength(value);
  if (typeof decoded === 'string') return `Input string \`${value}\` ${decoded}`;
  if (decoded !== 16)
    return `Input string \`${value}\` decoded as ${decoded} bytes, which is not equal to the expected 16 bytes of a base64-encoded UUID`;
  return undefined;
}

const URL_SAFE = /^[A-Za-z0-9_-]*$/;

/**
 * How many bytes `Base64.getUrlDecoder().decode` yields, or why it throws. Node's own base64url
 * decoder skips characters it does not know instead of failing, so the rules are spelled out here.
 */
function urlBase64DecodedLength(value: string): number | string {
  const padding = /=*$/.exec(value)?.[0].length ?? 0;
  const data = value.slice(0, value.length - padding);
  if (!URL_SAFE.test(data)) return 'is not URL-safe base64 (only A-Z a-z 0-9 - _ are allowed)';
  const lastUnit = data.length % 4;
  if (lastUnit === 1) return 'ends with a single base64 character, which holds no whole byte';
  if (padding > 0 && (padding > 2 || lastUnit === 0 || lastUnit + padding !== 4))
    return 'has the wrong number of padding characters';
  return Math.floor(data.length / 4) * 3 + (lastUnit === 0 ? 0 : lastUnit - 1);
}
