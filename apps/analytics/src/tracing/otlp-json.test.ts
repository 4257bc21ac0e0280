import { describe, expect, it } from 'vitest';
import { exportTraceServiceRequest, spansOfRequest } from './otlp-json.ts';

const traceId = '0af7651916cd43dd8448eb211c80319c';
const spanId = 'b7ad6b7169203331';

function request(attributes: unknown[], span: Record<string, unknown> = {}) {
  return {
    resourceSpans: [
      {
        resource: { attributes: [{ key: 'service.name', value: { stringValue: 'sales' } }] },
        scopeSpans: [
          {
            spans: [
              {
                traceId,
                spanId,
                name: 'POST /orders',
                kind: 2,
                startTimeUnixNano: '1765000000123456789',
                endTimeUnixNano: '1765000000125456789',
                attributes,
                ...span,
              },
            ],
          },
        ],
      },
    ],
  };
}

function spansOf(body: unknown) {
  return spansOfRequest(exportTraceServiceRequest.parse(body));
}

describe('OTLP/HTTP JSON spans', () => {
  it('reads each AnyValue kind as a plain value, and the service from the resource', () => {
    const [span] = spansOf(
      request([
        { key: 's', value: { stringValue: 'a' } },
        { key: 'b', value: { boolValue: false } },
        { key: 'i', value: { intValue: '9007199254740' } },
        { key: 'n', value: { intValue: 42 } },
        { key: 'd', value: { doubleValue: 0.5 } },
        { key: 'a', value: { arrayValue: { values: [{ stringValue: 'x' }, { intValue: 1 }] } } },
      ]),
    );
    expect(span).toMatchObject({
      traceId,
      spanId,
      parentSpanId: null,
      service: 'sales',
      kind: 'server',
      durationMs: 2,
      attributes: { s: 'a', b: false, i: 9_007_199_254_740, n: 42, d: 0.5, a: ['x', 1] },
    });
  });

  it('drops an attribute whose value has no shape it knows, and keeps the span', () => {
    const [span] = spansOf(
      request([
        { key: 'null', value: null },
        { key: 'missing' },
        { key: 'unknown', value: { kvlistValue: {} } },
        { key: 'not-an-int', value: { intValue: 'twelve' } },
        { key: 'array-of-nothing', value: { arrayValue: { values: 'x' } } },
        { key: 'kept', value: { stringValue: 'yes' } },
      ]),
    );
    expect(span?.attributes).toEqual({ kept: 'yes' });
  });

  it('refuses a request whose ids or times are not OTLP', () => {
    expect(exportTraceServiceRequest.safeParse(request([], { traceId: 'xyz' })).success).toBe(
      false,
    );
    expect(exportTraceServiceRequest.safeParse(request([], { spanId: spanId + '0' })).success).toBe(
      false,
    );
    expect(
      exportTraceServiceRequest.safeParse(request([], { startTimeUnixNano: '-1' })).success,
    ).toBe(false);
    expect(exportTraceServiceRequest.safeParse(request([{ value: {} }])).success).toBe(false);
  });
});
