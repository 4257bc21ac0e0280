import { ApiKey } from '../protocol/index.ts';
import { TOPIC_CONFIG_KEYS } from '../storage/index.ts';
import { alterResources, failResources } from './alter-topic-config.ts';
import { formatValue } from './config-view.ts';
import { ErrorCode, KafkaError } from '../errors/index.ts';
import { defineApi } from './types.ts';

export const OpType = { SET: 0, DELETE: 1, APPEND: 2, SUBTRACT: 3 } as const;

function splitList(v: string): string[] {
  return v
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
}

/** IncrementalAlterConfigs: SET / DELETE any key, APPEND / SUBTRACT on list-typed keys. */
export const incrementalAlterConfigsApi = defineApi({
  apiKey: ApiKey.IncrementalAlterConfigs,
  minVersion: 0,
  maxVersion: 1,
  handle(ctx, request) {
    const broker = ctx.broker;
    const responses = alterResources(
      ctx,
      request.resources,
      request.validateOnly,
      (res, current) => {
        const next: Record<string, string> = { ...current };
        const touched = new Set<string>();
        const effective = broker.logs.getTopic(res.resourceName)!.config as unknown as Record<
          string,
          unknown
        >;
        for (const c of res.configs) {
          if (touched.has(c.name))
            throw new KafkaError(
              ErrorCode.INVALID_REQUEST,
              `config ${c.name} appears more than once`,
            );
          touched.add(c.name);
          const key = TOPIC_CONFIG_KEYS.find((k) => k.name === c.name);
          switch (c.configOperation) {
            case OpType.SET:
              if (c.value === null)
                throw new KafkaError(ErrorCode.INVALID_REQUEST, `SET ${c.name} needs a value`);
              next[c.name] = c.value;
              break;
            case OpType.DELETE:
              delete next[c.name];
              break;
            case OpType.APPEND:
            case OpType.SUBTRACT: {
              if (!key)
                throw new KafkaError(
                  ErrorCode.INVALID_CONFIG,
                  `Unknown topic config name: ${c.name}`,
                );
              if (key.type !== 'list') {
                throw new KafkaError(
                  ErrorCode.INVALID_REQUEST,
                  `APPEND/SUBTRACT need a list config; ${c.name} is a ${key.type}`,
                );
              }
              const base = splitList(next[c.name] ?? formatValue(effective[key.property]));
              const items = splitList(c.value ?? '');
              const list =
                c.configOperation === OpType.APPEND
                  ? [...base, ...items.filter((i) => !base.includes(i))]
                  : base.filter((i) => !items.includes(i));
              next[c.name] = list.join(',');
              break;
            }
            default:
              throw new KafkaError(
                ErrorCode.INVALID_REQUEST,
                `unknown config operation ${c.configOperation}`,
              );
          }
        }
        return next;
      },
    );
    return { throttleTimeMs: 0, responses };
  },
  errorResponse(request, _version, errorCode, message) {
    return {
      throttleTimeMs: 0,
      responses: failResources(request.resources, errorCode, message),
    };
  },
});
