import { defineApi } from '../api/types.ts';
import { Op, authorizeCluster } from '../acl/authorize.ts';
import type { AnyApiHandler } from '../api/types.ts';
import { ErrorCode, toKafkaError } from '../errors/index.ts';
import { ApiKey } from '../protocol/index.ts';
import type {
  AlterUserScramCredentialsRequest,
  AlterUserScramCredentialsResponse,
  DescribeUserScramCredentialsResponse,
} from '../protocol/index.ts';
import {
  MAX_ITERATIONS,
  MIN_ITERATIONS,
  credentialFromSaltedPassword,
  scramMechanismById,
} from './scram.ts';
import type { ScramChange } from './scram-credential-store.ts';

type AlterResult = AlterUserScramCredentialsResponse['results'][number];

/** An upsertion's change, or null after reporting why it is refused. */
function checkUpsertion(
  u: AlterUserScramCredentialsRequest['upsertions'][number],
  problem: (user: string, code: number, message: string) => void,
): ScramChange | null {
  const mechanism = scramMechanismById(u.mechanism)!;
  if (u.iterations < MIN_ITERATIONS) {
    problem(
      u.name,
      ErrorCode.UNACCEPTABLE_CREDENTIAL,
      `Too few iterations (minimum ${MIN_ITERATIONS})`,
    );
    return null;
  }
  if (u.iterations > MAX_ITERATIONS) {
    problem(
      u.name,
      ErrorCode.UNACCEPTABLE_CREDENTIAL,
      `Too many iterations (maximum ${MAX_ITERATIONS})`,
    );
    return null;
  }
  if (u.salt.length === 0 || u.saltedPassword.length !== mechanism.size) {
    problem(
      u.name,
      ErrorCode.UNACCEPTABLE_CREDENTIAL,
      `The salt must not be empty and the salted password must be ${mechanism.size} bytes for ${mechanism.name}`,
    );
    return null;
  }
  return {
    kind: 'upsert',
    user: u.name,
    mechanism,
    credential: credentialFromSaltedPassword(mechanism, u.saltedPassword, u.salt, u.iterations),
  };
}

/**
 * AlterUserScramCredentials (KIP-554): the client sends the salt and the salted password (never
 * the password); the broker keeps StoredKey and ServerKey derived from them. Each user's changes
 * apply all together or not at all, with Kafka's errors: UNSUPPORTED_SASL_MECHANISM for an unknown
 * mechanism, UNACCEPTABLE_CREDENTIAL for an empty name, salt or password or an iteration count
 * outside 4096-16384, DUPLICATE_RESOURCE for a user/mechanism listed twice, RESOURCE_NOT_FOUND for
 * deleting a credential that does not exist.
 */
export const alterUserScramCredentialsApi = defineApi({
  apiKey: ApiKey.AlterUserScramCredentials,
  minVersion: 0,
  maxVersion: 0,
  handle(ctx, request): AlterUserScramCredentialsResponse {
    if (!authorizeCluster(ctx, Op.ALTER))
      return {
        throttleTimeMs: 0,
        results: usersOf(request).map((user) => ({
          user,
          errorCode: ErrorCode.CLUSTER_AUTHORIZATION_FAILED,
          errorMessage: null,
        })),
      };
    const store = ctx.broker.scram;
    const users = usersOf(request);
    const problems = new Map<string, { code: number; message: string }>();
    const changes = new Map<string, ScramChange[]>();
    const seen = new Set<string>();
    const problem = (user: string, code: number, message: string) => {
      if (!problems.has(user)) problems.set(user, { code, message });
    };
    const each = (user: string, mechanismId: number, check: () => ScramChange | null) => {
      if (user === '')
        return problem(user, ErrorCode.UNACCEPTABLE_CREDENTIAL, 'Username must not be empty');
      const mechanism = scramMechanismById(mechanismId);
      if (!mechanism)
        return problem(user, ErrorCode.UNSUPPORTED_SASL_MECHANISM, 'Unknown SCRAM mechanism');
      const key = `${user}\u0000${mechanism.name}`;
      if (seen.has(key))
        return problem(
          user,
          ErrorCode.DUPLICATE_RESOURCE,
          'A user credential cannot be altered twice in the same request',
        );
      seen.add(key);
      const change = check();
      if (change) changes.set(user, [...(changes.get(user) ?? []), change]);
    };
    for (const d of request.deletions) {
      each(d.name, d.mechanism, () => {
        const mechanism = scramMechanismById(d.mechanism)!;
        if (!store.get(d.name, mechanism)) {
          problem(
            d.name,
            ErrorCode.RESOURCE_NOT_FOUND,
            'Attempt to delete a user credential that does not exist',
          );
          return null;
        }
        return { kind: 'delete', user: d.name, mechanism };
      });
    }
    for (const u of request.upsertions) {
      each(u.name, u.mechanism, () => checkUpsertion(u, problem));
    }
    const accepted = users
      .filter((user) => !problems.has(user))
      .flatMap((user) => changes.get(user) ?? []);
    let storeError: { code: number; message: string } | null = null;
    try {
      store.apply(accepted);
    } catch (err) {
      const { code, message } = toKafkaError(err);
      ctx.broker.logger.error({ err }, 'saving SCRAM credentials failed');
      storeError = { code, message };
    }
    if (accepted.length > 0 && !storeError)
      ctx.broker.logger.info(
        { users: [...new Set(accepted.map((c) => c.user))], changes: accepted.length },
        'SCRAM credentials changed',
      );
    return {
      throttleTimeMs: 0,
      results: users.map((user): AlterResult => {
        const p = problems.get(user) ?? (changes.has(user) ? storeError : null);
        return { user, errorCode: p?.code ?? ErrorCode.NONE, errorMessage: p?.message ?? null };
      }),
    };
  },
  errorResponse(request, _version, errorCode, errorMessage) {
    return {
      throttleTimeMs: 0,
      results: usersOf(request).map((user) => ({ user, errorCode, errorMessage })),
    };
  },
});

function usersOf(request: AlterUserScramCredentialsRequest): string[] {
  return [...new Set([...request.deletions, ...request.upsertions].map((x) => x.name))];
}

/**
 * DescribeUserScramCredentials: mechanisms and iteration counts (never salts or keys) of the named
 * users, or of every user with a credential when the list is null or empty. A user without any
 * credential is RESOURCE_NOT_FOUND, a user named twice DUPLICATE_RESOURCE.
 */
export const describeUserScramCredentialsApi = defineApi({
  apiKey: ApiKey.DescribeUserScramCredentials,
  minVersion: 0,
  maxVersion: 0,
  handle(ctx, request): DescribeUserScramCredentialsResponse {
    if (!authorizeCluster(ctx, Op.DESCRIBE))
      return {
        throttleTimeMs: 0,
        errorCode: ErrorCode.CLUSTER_AUTHORIZATION_FAILED,
        errorMessage: null,
        results: [],
      };
    const store = ctx.broker.scram;
    const asked =
      request.users === null || request.users.length === 0
        ? null
        : request.users.map((u) => u.name);
    const names = asked ?? store.users();
    const counts = new Map<string, number>();
    for (const n of names) counts.set(n, (counts.get(n) ?? 0) + 1);
    const results = [...new Set(names)].map((user) => {
      if ((counts.get(user) ?? 0) > 1)
        return {
          user,
          errorCode: ErrorCode.DUPLICATE_RESOURCE,
          errorMessage:
            'Cannot describe SCRAM credentials for the same user twice in a single request',
          credentialInfos: [],
        };
      const infos = store.describe(user);
      if (infos.length === 0)
        return {
          user,
          errorCode: ErrorCode.RESOURCE_NOT_FOUND,
          errorMessage: 'Attempt to describe a user credential that does not exist',
          credentialInfos: [],
        };
      return {
        user,
        errorCode: ErrorCode.NONE,
        errorMessage: null,
        credentialInfos: infos.map((i) => ({
          mechanism: i.mechanism.id,
          iterations: i.iterations,
        })),
      };
    });
    return { throttleTimeMs: 0, errorCode: ErrorCode.NONE, errorMessage: null, results };
  },
  errorResponse(_request, _version, errorCode, errorMessage) {
    return { throttleTimeMs: 0, errorCode, errorMessage, results: [] };
  },
});

export const USER_SCRAM_APIS: readonly AnyApiHandler[] = [
  alterUserScramCredentialsApi,
  describeUserScramCredentialsApi,
];
