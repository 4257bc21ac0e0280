/**
 * Why an event does not fit its contract. Consumers send such events to the dead-letter topic with
 * this code and message in the headers; producers fail fast before anything is written.
 */
export type ContractErrorCode =
  'EVENT_NOT_JSON' | 'EVENT_ENVELOPE_INVALID' | 'EVENT_TYPE_UNKNOWN' | 'EVENT_PAYLOAD_INVALID';

export class ContractError extends Error {
  readonly code: ContractErrorCode;
  readonly issues: readonly string[];

  constructor(code: ContractErrorCode, message: string, issues: readonly string[] = []) {
    super(issues.length > 0 ? `${message}: ${issues.join('; ')}` : message);
    this.name = 'ContractError';
    this.code = code;
    this.issues = issues;
  }
}
