import { readdirSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildOpenApiDocument } from '@linli/content';
import { describe, expect, it } from 'vitest';

// The OpenAPI document is written by hand beside the routes; this keeps the two from drifting apart.
const routesDir = fileURLToPath(new URL('../../../routes', import.meta.url));

function apiRoutes(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return apiRoutes(path);
    if (entry.name !== '+server.ts') return [];
    return [
      '/' +
        relative(routesDir, dir)
          .split(sep)
          .map((part) => part.replace(/^\[(\w+)\]$/, '{$1}'))
          .join('/'),
    ];
  });
}

describe('the OpenAPI document', () => {
  it('describes every /api/v1 route and nothing that is not one', () => {
    const routes = apiRoutes(join(routesDir, 'api', 'v1'))
      // the catch-all answers 404 in the API's error shape; the document does not describe itself
      .filter((path) => !path.includes('[...rest]') && !path.endsWith('/openapi.json'))
      .sort();
    const documented = Object.keys(buildOpenApiDocument('test').paths)
      .filter((path) => path.startsWith('/api/v1/'))
      .sort();
    expect(documented).toEqual(routes);
  });
});
