import { describe, expect, it } from 'vitest';
import { readExportRequest } from './otlp-json.ts';

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
  return readExportRequest(body);
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

  it('refuses a request whose ids or times are not OTLP, naming where', () => {
    const at = 'resourceSpans.0.scopeSpans.0.spans.0';
    expect(() => spansOf(request([], { traceId: 'xyz' }))).toThrow(`${at}.traceId`);
    expect(() => spansOf(request([], { spanId: spanId + '0' }))).toThrow(`${at}.spanId`);
    expect(() => spansOf(request([], { parentSpanId: 'nope' }))).toThrow(`${at}.parentSpanId`);
    expect(() => spansOf(request([], { startTimeUnixNano: '-1' }))).toThrow(
      `${at}.startTimeUnixNano`,
    );
    expect(() => spansOf(request([], { kind: 9 }))).toThrow(`${at}.kind`);
    expect(() => spansOf(request([], { name: 7 }))).toThrow(`${at}.name`);
    expect(() => spansOf(request([], { links: [{ traceId, spanId: 'x' }] }))).toThrow(
      `${at}.links.0.spanId`,
    );
    expect(() => spansOf(request([{ value: {} }]))).toThrow(
      `${at}.attributes.0: expected a key and a value`,
    );
    expect(() => spansOf({ resourceSpans: {} })).toThrow('resourceSpans: expected an array');
    expect(() => spansOf('[]')).toThrow('request: expected an object');
  });

  it('keeps microseconds of nanosecond times beyond 2^53, and reads links', () => {
    const [span] = spansOf(
      request([], {
        startTimeUnixNano: '1765000000123456789',
        endTimeUnixNano: '1765000000123457789',
        parentSpanId: '',
        links: [{ traceId: traceId.toUpperCase(), spanId }],
        status: { code: 2, message: 'refused' },
      }),
    );
    expect(span).toMatchObject({
      startMs: 1_765_000_000_123.456,
      parentSpanId: null,
      links: [{ traceId, spanId }],
      status: 'error',
      statusMessage: 'refused',
    });
    // One microsecond, as far as a float of epoch milliseconds can tell it.
    expect(span?.durationMs).toBeCloseTo(0.001, 3);
  });
});
