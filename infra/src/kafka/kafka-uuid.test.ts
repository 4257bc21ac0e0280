import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { kafkaUuidProblem } from './kafka-uuid.ts';

describe("kafkaUuidProblem (Kafka's Uuid.fromString, applied by kafka-storage format)", () => {
  it('accepts what `kafka-storage random-uuid` prints: 16 random bytes, base64url without padding', () => {
    for (let i = 0; i < 50; i++) {
      const id = randomBytes(16).toString('base64url');
      expect(id).toHaveLength(22);
      expect(kafkaUuidProblem(id), id).toBeUndefined();
    }
    expect(kafkaUuidProblem('5L6g3nShT-eMCtK--X86sw')).toBeUndefined();
  });

  it('accepts the padded form too, as Java’s decoder does', () => {
    expect(kafkaUuidProblem('AAAAAAAAAAAAAAAAAAAAAA==')).toBeUndefined();
  });

  it('refuses a readable name that decodes to 18 bytes, in the words Kafka uses', () => {
    expect(kafkaUuidProblem('rs-demo-kraft-cluster-01')).toBe(
      'Input string `rs-demo-kraft-cluster-01` decoded as 18 bytes, which is not equal to the expected 16 bytes of a base64-encoded UUID',
    );
  });

  it('refuses ids that decode to any other length', () => {
    expect(kafkaUuidProblem('AAAAAAAAAAAAAAAAAAAA')).toMatch(/decoded as 15 bytes/);
    expect(kafkaUuidProblem('AAAAAAAAAAAAAAAAAAAAAAA')).toMatch(/decoded as 17 bytes/);
    expect(kafkaUuidProblem('')).toMatch(/decoded as 0 bytes/);
  });

  it('refuses more than 24 characters before decoding anything', () => {
    expect(kafkaUuidProblem('retail-streams-demo-kraft-cluster')).toBe(
      'Input string with prefix `retail-streams-demo-kraf` is too long to be decoded as a base64 UUID',
    );
  });

  it('refuses characters outside the URL-safe alphabet, which Node’s decoder would take', () => {
    const standard = 'AAAAAAAAAAAAAAAAAAAA+/';
    expect(Buffer.from(standard, 'base64url')).toHaveLength(16);
    expect(kafkaUuidProblem(standard)).toMatch(/not URL-safe base64/);
    expect(kafkaUuidProblem('AAAAAAAAAAAAAAAAAAAA A')).toMatch(/not URL-safe base64/);
  });

  it('refuses a dangling character and wrong padding, as Java’s decoder throws on them', () => {
    expect(kafkaUuidProblem('AAAAAAAAAAAAAAAAAAAAAA=')).toMatch(/wrong number of padding/);
    expect(kafkaUuidProblem('AAAAAAAAAAAAAAAAAAAAAAAA==')).toMatch(/too long/);
    expect(kafkaUuidProblem('AAAAAAAAAAAAAAAAAAAAA=')).toMatch(/single base64 character/);
    expect(kafkaUuidProblem('AAAAAAAAAAAAAAAAA')).toMatch(/single base64 character/);
    expect(kafkaUuidProblem('AAAAAAAAAAAAAAAAAAAA===')).toMatch(/wrong number of padding/);
  });
});
