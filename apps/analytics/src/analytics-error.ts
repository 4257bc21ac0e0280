export type AnalyticsErrorCode =
  | 'STALE_CONSUMER_GROUP'
  | 'PIPELINE_DISCARDED'
  | 'PIPELINE_CLOSED'
  | 'INVALID_ACCESS_LOG_LINE'
  | 'REPLAY_IN_PROGRESS'
  | 'REPLAY_NOT_FOUND'
  | 'REPLAY_NOT_PAUSED'
  | 'SALES_CHECKPOINT_INVALID';

/** Every failure analytics raises itself carries a code (logs, problem+json, the runner's DLQ headers). */
export class AnalyticsError extends Error {
  readonly code: AnalyticsErrorCode;

  constructor(code: AnalyticsErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'AnalyticsError';
    this.code = code;
  }
}
