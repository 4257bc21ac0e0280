import { describe, expect, it } from 'vitest';
import { converterOf, JSON_CONVERTER, STRING_CONVERTER } from './converters.ts';
import { connectorConfig, workerConfig } from './standalone-config.ts';

const props = (text: string) =>
  new Map(text.split('\n').map((line) => line.split('=', 2) as [string, string]));

describe("connect-standalone's files, in Kafka's format", () => {
  const worker = workerConfig(
    props(
      `bootstrap.servers=localhost:9092\nvalue.converter=${JSON_CONVERTER}\nvalue.converter.schemas.enable=true\noffset.storage.file.filename=/tmp/connect.offsets`,
    ),
    'worker.properties',
  );

  it('reads the worker, noting where source positions really go', () => {
    expect(worker.bootstrapServers).toBe('localhost:9092');
    expect(worker.offsetsTopic).toBe('connect-offsets');
    expect(worker.notes).toEqual([
      'connect-standalone: source positions are kept in the topic connect-offsets (as distributed ' +
        'Connect does), not in /tmp/connect.offsets',
    ]);
  });

  it("reads Kafka's file source and sink", () => {
    expect(
      connectorConfig(
        props('name=src\nconnector.class=FileStreamSource\ntasks.max=1\nfile=test.txt\ntopic=t'),
        worker,
        'source.properties',
      ),
    ).toMatchObject({ kind: 'source', name: 'src', file: 'test.txt', topic: 't', batchSize: 2000 });
    expect(
      connectorConfig(
        props(
          'name=sink\nconnector.class=org.apache.kafka.connect.file.FileStreamSinkConnector\nfile=out.txt\ntopics=t',
        ),
        worker,
        'sink.properties',
      ),
    ).toMatchObject({ kind: 'sink', name: 'sink', file: 'out.txt', topic: 't' });
  });

  it('refuses what it would get wrong, naming the file and the key', () => {
    const bad = (text: string) => () => connectorConfig(props(text), worker, 'c.properties');
    expect(bad('connector.class=FileStreamSource\nfile=f\ntopic=t')).toThrow(
      /^c.properties: name:/,
    );
    expect(bad('name=n\nconnector.class=JdbcSource\nfile=f\ntopic=t')).toThrow(
      /only FileStreamSource and FileStreamSink/,
    );
    expect(bad('name=n\nconnector.class=FileStreamSink\nfile=f\ntopics=a,b')).toThrow(
      /exactly one topic/,
    );
    expect(bad('name=n\nconnector.class=FileStreamSource\nfile=f\ntopic=t\ntransforms=x')).toThrow(
      /transforms/,
    );
  });
});

describe('converters', () => {
  it('JsonConverter with schemas wraps a line as Kafka does, and unwraps it', () => {
    const json = converterOf(JSON_CONVERTER, true);
    const value = json.fromLine('foo');
    expect(value).toBe('{"schema":{"type":"string","optional":false},"payload":"foo"}');
    expect(json.toLine(Buffer.from(value))).toBe('foo');
    expect(() => json.toLine(Buffer.from('"bare"'))).toThrow(/needs "schema" and "payload"/);
    expect(() => json.toLine(Buffer.from('not json'))).toThrow(/is not JSON/);
  });

  it('JsonConverter without schemas and StringConverter', () => {
    expect(converterOf(JSON_CONVERTER, false).fromLine('a "b"')).toBe('"a \\"b\\""');
    const text = converterOf(STRING_CONVERTER, true);
    expect(text.fromLine('line')).toBe('line');
    expect(text.toLine(null)).toBe('null');
  });
});
