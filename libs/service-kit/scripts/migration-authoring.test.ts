import { describe, expect, it } from 'vitest';
import {
  cleanDiffSql,
  migrationDirectoryName,
  schemaFromPullOutput,
  withPlaceholderUrl,
} from './migration-authoring.ts';

describe('withPlaceholderUrl', () => {
  it('adds a url to a Prisma 7 datasource block and leaves the rest alone', () => {
    const schema =
      'generator client {\n  provider = "prisma-client"\n}\n\ndatasource db {\n  provider = "postgresql"\n}\n\nmodel A {\n  id Int @id\n}\n';
    const result = withPlaceholderUrl(schema);
    expect(result).toContain(
      'datasource db {\n  provider = "postgresql"\n  url = "postgresql://unused"\n}',
    );
    expect(result).toContain('model A {\n  id Int @id\n}');
  });

  it('keeps an existing url', () => {
    const schema = 'datasource db {\n  provider = "postgresql"\n  url = env("DATABASE_URL")\n}\n';
    expect(withPlaceholderUrl(schema)).toBe(schema);
  });
});

describe('schemaFromPullOutput', () => {
  it('drops the warnings printed before the schema', () => {
    const output = '\nWARNING: something\n\nWe recommend...\ngenerator client {\n}\nmodel A {\n}\n';
    expect(schemaFromPullOutput(output)).toBe('generator client {\n}\nmodel A {\n}\n');
  });
});

describe('cleanDiffSql', () => {
  it('removes the CREATE SCHEMA public the introspected diff adds', () => {
    const sql =
      '-- CreateSchema\nCREATE SCHEMA IF NOT EXISTS "public";\n\n-- CreateTable\nCREATE TABLE "a" ();\n';
    expect(cleanDiffSql(sql)).toEqual({
      sql: '-- CreateTable\nCREATE TABLE "a" ();\n',
      empty: false,
    });
  });

  it('recognises an empty diff', () => {
    expect(cleanDiffSql('-- This is an empty migration.\n').empty).toBe(true);
  });
});

describe('migrationDirectoryName', () => {
  it('prefixes a UTC timestamp and makes the name safe', () => {
    expect(
      migrationDirectoryName(new Date(Date.UTC(2026, 10, 21, 9, 5, 3)), 'Add reserved stock!'),
    ).toBe('20261121090503_add_reserved_stock');
  });

  it('refuses an empty name', () => {
    expect(() => migrationDirectoryName(new Date(), ' -- ')).toThrow(/needs a name/);
  });
});
