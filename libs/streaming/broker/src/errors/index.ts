export {
  ErrorCode,
  KAFKA_ERRORS,
  defaultMessage,
  errorInfo,
  errorName,
  isRetriable,
} from './kafka-errors.ts';
export type { ErrorCodeName, ErrorCodeValue, ErrorInfo } from './kafka-errors.ts';
export { KafkaError, toKafkaError } from './kafka-error.ts';
