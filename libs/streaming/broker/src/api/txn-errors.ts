import { ErrorCode } from '../errors/index.ts';

/**
 * PRODUCER_FENCED (KIP-588) is only sent to request versions that know it; older ones get
 * INVALID_PRODUCER_EPOCH, which they treat the same way (the producer is fenced), as Kafka does.
 */
export function fencedFor(code: number, version: number, firstVersionWithFenced: number): number {
  return code === ErrorCode.PRODUCER_FENCED && version < firstVersionWithFenced
    ? ErrorCode.INVALID_PRODUCER_EPOCH
    : code;
}
