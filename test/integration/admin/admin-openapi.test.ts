import { Validator } from '@seriousme/openapi-schema-validator';
import { expect } from 'chai';
import { type AdminServices, adminRoutes } from '../../../src/admin/routes/index.ts';
import { ADMIN_PREFIX } from '../../support/admin.ts';
import { bootGatehouse, type TestGatehouse } from '../../support/gatehouse.ts';

type Json = Record<string, unknown>;
const METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'];

/** Every object in a JSON tree, with its JSON pointer. */
function* walk(node: unknown, pointer = '#'): Generator<[string, Json]> {
  if (node === null || typeof node !== 'object') return;
  if (!Array.isArray(node)) yield [pointer, node as Json];
  for (const [key, child] of Object.entries(node)) yield* walk(child, `${pointer}/${key}`);
}

function resolve(document: Json, ref: string): unknown {
  if (!ref.startsWith('#/')) return undefined;
  return ref
    .slice(2)
    .split('/')
    .map((part) => part.replaceAll('~1', '/').replaceAll('~0', '~'))
    .reduce<unknown>(
      (node, part) => (node && typeof node === 'object' ? (node as Json)[part] : undefined),
      document,
    );
}

/** Property names of every object schema under a node (not of `additionalProperties` maps). */
function propertyNames(schema: unknown): string[] {
  return [...walk(schema)].flatMap(([, node]) =>
    node.properties && typeof node.properties === 'object' ? Object.keys(node.properties) : [],
  );
}

describe('admin API: the OpenAPI document', () => {
  let gh: TestGatehouse;
  let document: Json;
  let operations: { path: string; method: string; operation: Json }[];

  before(async () => {
    gh = await bootGatehouse();
    const response = await fetch(`${gh.url}${ADMIN_PREFIX}/openapi.json`);
    expect(response.status).to.equal(200);
    document = (await response.json()) as Json;
    operations = Object.entries(document.paths as Record<string, Json>).flatMap(([path, item]) =>
      Object.entries(item)
        .filter(([method]) => METHODS.includes(method))
        .map(([method, operation]) => ({ path, method, operation: operation as Json })),
    );
  });
  after(() => gh.stop());

  it('validates against the official OpenAPI 3.1 schema', async () => {
    const validator = new Validator();
    const result = await validator.validate(document as Record<string, unknown>);
    expect(result.errors ?? [], JSON.stringify(result.errors)).to.deep.equal([]);
    expect(result.valid).to.equal(true);
    expect(validator.version).to.equal('3.1');
  });

  it('is OpenAPI 3.1 with info, servers and security schemes', () => {
    expect(document.openapi).to.equal('3.1.0');
    const info = document.info as Json;
    expect(info.title).to.be.a('string');
    expect(info.version).to.be.a('string');
    expect((document.servers as Json[])[0]?.url).to.equal(gh.issuer);
    const schemes = (document.components as Json).securitySchemes as Json;
    for (const { operation } of operations) {
      for (const requirement of operation.security as Json[]) {
        for (const name of Object.keys(requirement)) expect(schemes, name).to.have.property(name);
      }
    }
  });

  it('documents every route, each operation with a unique id, a summary and responses', () => {
    const routes = adminRoutes({} as AdminServices);
    expect(operations).to.have.length(routes.length);
    for (const route of routes) {
      const path = `${ADMIN_PREFIX}${route.path}`.replace(/:(\w+)/g, '{$1}');
      expect(
        operations.some((op) => op.path === path && op.method === route.method),
        `${route.method} ${path}`,
      ).to.equal(true);
    }
    const ids = operations.map(({ operation }) => operation.operationId);
    expect(new Set(ids).size).to.equal(ids.length);
    for (const { path, method, operation } of operations) {
      const where = `${method} ${path}`;
      expect(operation.summary, where).to.be.a('string').and.not.equal('');
      const responses = Object.entries(operation.responses as Record<string, Json>);
      expect(responses.length, where).to.be.above(0);
      expect(
        responses.some(([status]) => /^2\d\d$/.test(status)),
        where,
      ).to.equal(true);
      for (const [status, response] of responses) {
        expect(status, where).to.match(/^[1-5]\d\d$/);
        expect(response.description, `${where} ${status}`).to.be.a('string');
      }
      if (operation.requestBody) {
        const content = (operation.requestBody as Json).content as Record<string, Json>;
        expect(content['application/json']?.schema, where).to.be.an('object');
      }
    }
  });

  it('declares every path parameter of each URL template, and no others', () => {
    for (const { path, method, operation } of operations) {
      const inTemplate = [...path.matchAll(/\{([^}]+)\}/g)].map((match) => match[1]);
      const parameters = (operation.parameters as Json[]) ?? [];
      const declared = parameters.filter((parameter) => parameter.in === 'path');
      expect(
        declared.map((parameter) => parameter.name),
        `${method} ${path}`,
      ).to.have.members(inTemplate);
      for (const parameter of parameters) {
        expect(parameter.schema, `${method} ${path} ${parameter.name}`).to.be.an('object');
        if (parameter.in === 'path') expect(parameter.required).to.equal(true);
        expect(['path', 'query', 'header', 'cookie']).to.include(parameter.in);
      }
      const names = parameters.map((parameter) => `${parameter.in}:${parameter.name}`);
      expect(new Set(names).size, `${method} ${path} has a duplicate parameter`).to.equal(names.length);
    }
  });

  it('resolves every $ref', () => {
    let refs = 0;
    for (const [pointer, node] of walk(document)) {
      if (typeof node.$ref !== 'string') continue;
      refs += 1;
      expect(resolve(document, node.$ref), `${pointer}: ${node.$ref}`).to.not.equal(undefined);
    }
    expect(refs).to.be.above(0);
  });

  it('speaks spec spelling on the wire and shows no secret but a freshly issued client secret', () => {
    for (const { path, method, operation } of operations) {
      const where = `${method} ${path}`;
      const bodies = [
        ((operation.requestBody as Json | undefined)?.content as Json | undefined)?.['application/json'],
        ...Object.values(operation.responses as Record<string, Json>).map(
          (response) => (response.content as Json | undefined)?.['application/json'],
        ),
      ];
      for (const name of bodies.flatMap(propertyNames)) expect(name, where).to.match(/^[a-z][a-z0-9_]*$/);
      const parameters = (operation.parameters as Json[]) ?? [];
      for (const parameter of parameters) expect(parameter.name, where).to.match(/^[a-z][a-z0-9_]*$/);

      const success = Object.entries(operation.responses as Record<string, Json>).find(([status]) =>
        status.startsWith('2'),
      )?.[1];
      const shown = propertyNames((success?.content as Json | undefined)?.['application/json']);
      const secrets = shown.filter((name) =>
        // has_client_secret is a flag and token_url an address: names, not secrets.
        /(?<!^has_client_)secret|password(?!_set|_changed_at)|hash|private|token(?!_ttl|_format|_endpoint|_url)/.test(
          name,
        ),
      );
      const issuesSecret = (method === 'post' && path.endsWith('/apps')) || path.endsWith('/rotate-secret');
      expect(secrets, where).to.deep.equal(issuesSecret ? ['client_secret'] : []);
    }
  });
});
