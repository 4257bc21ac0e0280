import { ApiKey } from '../protocol/index.ts';
import type { DescribeConfigsResponse } from '../protocol/index.ts';
import { brokerConfigEntries, topicConfigEntries } from './config-view.ts';
import type { ConfigEntryView } from './config-view.ts';
import { ErrorCode } from '../errors/index.ts';
import { ResourceType } from './resource-types.ts';
import { defineApi } from './types.ts';
import { configAccessDenied } from './alter-topic-config.ts';
import { Op } from '../acl/authorize.ts';

type ResultOut = DescribeConfigsResponse['results'][number];
type ConfigOut = ResultOut['configs'][number];

function configOut(
  e: ConfigEntryView,
  version: number,
  synonyms: boolean,
  docs: boolean,
): ConfigOut {
  return {
    name: e.name,
    value: e.value,
    readOnly: e.readOnly,
    // isDefault exists only in v0 and is not ignorable: later versions must carry the default (false).
    isDefault: version === 0 ? e.isDefault : false,
    configSource: e.source,
    isSensitive: e.isSensitive,
    synonyms: synonyms ? e.synonyms : [],
    configType: e.configType,
    documentation: docs ? e.documentation : null,
  };
}

function result(
  type: number,
  name: string,
  errorCode: number,
  errorMessage: string | null,
  configs: ConfigOut[],
): ResultOut {
  return { errorCode, errorMessage, resourceType: type, resourceName: name, configs };
}

export const describeConfigsApi = defineApi({
  apiKey: ApiKey.DescribeConfigs,
  minVersion: 0,
  maxVersion: 4,
  handle(ctx, request) {
    const broker = ctx.broker;
    const version = ctx.apiVersion;
    const synonyms = request.includeSynonyms ?? false;
    const docs = request.includeDocumentation ?? false;
    const results = request.resources.map((res) => {
      const keys = res.configurationKeys ?? null;
      const render = (entries: ConfigEntryView[]) =>
        entries.map((e) => configOut(e, version, synonyms, docs));
      // DESCRIBE_CONFIGS on the topic, or on the cluster for the broker.
      const denied = configAccessDenied(ctx, Op.DESCRIBE_CONFIGS, res);
      if (denied !== null) return result(res.resourceType, res.resourceName, denied, null, []);
      switch (res.resourceType) {
        case ResourceType.TOPIC: {
          const topic = broker.logs.getTopic(res.resourceName);
          if (!topic) {
            return result(
              res.resourceType,
              res.resourceName,
              ErrorCode.UNKNOWN_TOPIC_OR_PARTITION,
              `unknown topic ${res.resourceName}`,
              [],
            );
          }
          return result(
            res.resourceType,
            res.resourceName,
            0,
            null,
            render(topicConfigEntries(broker, topic, keys)),
          );
        }
        case ResourceType.BROKER: {
          if (res.resourceName !== '' && res.resourceName !== String(broker.nodeId)) {
            return result(
              res.resourceType,
              res.resourceName,
              ErrorCode.INVALID_REQUEST,
              `this is broker ${broker.nodeId}`,
              [],
            );
          }
          return result(
            res.resourceType,
            res.resourceName,
            0,
            null,
            render(brokerConfigEntries(broker, keys)),
          );
        }
        default:
          return result(
            res.resourceType,
            res.resourceName,
            ErrorCode.INVALID_REQUEST,
            `unsupported resource type ${res.resourceType}`,
            [],
          );
      }
    });
    return { throttleTimeMs: 0, results };
  },
  errorResponse(request, _version, errorCode, message) {
    return {
      throttleTimeMs: 0,
      results: request.resources.map((r) =>
        result(r.resourceType, r.resourceName, errorCode, message, []),
      ),
    };
  },
});
