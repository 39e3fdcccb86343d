import { buildOpenApi } from '../../../src/admin/openapi.ts';
import { type AdminServices, adminRoutes } from '../../../src/admin/routes/index.ts';

export type JsonSchema = {
  readonly type?: string | readonly string[];
  readonly anyOf?: readonly JsonSchema[];
  readonly oneOf?: readonly JsonSchema[];
  readonly properties?: Readonly<Record<string, JsonSchema>>;
};

/** One admin API operation, as the OpenAPI document describes it. */
export interface AdminOperation {
  /** Upper case, as sent. */
  readonly method: string;
  /** The document's path, with `{param}` placeholders. */
  readonly path: string;
  readonly pathParams: readonly string[];
  readonly queryParams: readonly string[];
  readonly body?: JsonSchema | undefined;
}

interface OpenApiDocument {
  readonly paths: Record<
    string,
    Record<
      string,
      {
        parameters?: { name: string; in: string }[];
        requestBody?: { content?: Record<string, { schema?: JsonSchema }> };
      }
    >
  >;
}

/** Every operation in an OpenAPI document, in document order. */
export function operationsOf(document: unknown): AdminOperation[] {
  const { paths } = document as OpenApiDocument;
  return Object.entries(paths).flatMap(([path, operations]) =>
    Object.entries(operations).map(([method, operation]) => ({
      method: method.toUpperCase(),
      path,
      pathParams: (operation.parameters ?? []).filter((p) => p.in === 'path').map((p) => p.name),
      queryParams: (operation.parameters ?? []).filter((p) => p.in === 'query').map((p) => p.name),
      body: operation.requestBody?.content?.['application/json']?.schema,
    })),
  );
}

/**
 * The admin API's OpenAPI document, built from the route table exactly as the server builds the
 * one it serves (a test checks the two agree). Mocha needs the test names before any server runs.
 */
export function localOpenApi(): unknown {
  // The routes only touch their services inside handlers, which never run here.
  const routes = adminRoutes({} as AdminServices);
  return buildOpenApi(routes, { issuer: 'http://gatehouse.invalid', version: '0' });
}
