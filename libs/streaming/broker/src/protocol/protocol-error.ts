/**
 * Raised by the codecs for anything that is wrong with the bytes or the message itself. The server
 * catches it per frame: a malformed request must cost one connection at most, never the process.
 */
export type ProtocolErrorCode =
  /** The buffer ended before the value did. */
  | 'TRUNCATED'
  /** A varint ran over its maximum length. */
  | 'INVALID_VARINT'
  /** A length prefix is negative (and not the null marker) or larger than what is left. */
  | 'INVALID_LENGTH'
  /** A null arrived or was to be written where the version does not allow it. */
  | 'NULL_NOT_ALLOWED'
  /** A uuid string is not in the canonical 36-character form. */
  | 'INVALID_UUID'
  /** A non-ignorable field holds a non-default value the version cannot carry. */
  | 'FIELD_NOT_SUPPORTED'
  /** The API key is not in the table. */
  | 'UNKNOWN_API'
  /** The API exists but not in this version. */
  | 'UNSUPPORTED_VERSION';

export class ProtocolError extends Error {
  readonly code: ProtocolErrorCode;

  constructor(code: ProtocolErrorCode, message: string) {
    super(message);
    this.name = 'ProtocolError';
    this.code = code;
  }
}

/** A null met a field that is not nullable in this version (decode or encode side). */
export function nullNotAllowed(field: string, version: number): ProtocolError {
  return new ProtocolError('NULL_NOT_ALLOWED', `${field} is not nullable in version ${version}`);
}

/** Encode-side guard: returns the value, or throws when a non-nullable version meets a null. */
export function requireNonNull<T>(value: T | null, field: string, version: number): T {
  if (value === null) throw nullNotAllowed(field, version);
  return value;
}

/**
 * Kafka refuses to silently drop a non-ignorable field that carries information the target version
 * cannot express (e.g. `validateOnly` on an old CreateTopics): the caller must pick another version.
 */
export function fieldNotSupported(field: string, version: number): ProtocolError {
  return new ProtocolError(
    'FIELD_NOT_SUPPORTED',
    `${field} has a non-default value but version ${version} cannot carry it`,
  );
}
