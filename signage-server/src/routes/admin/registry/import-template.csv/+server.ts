import { requireRole } from '$lib/server/auth/guard';
import { PERMISSIONS } from '$lib/server/auth/permissions';
import { IMPORT_TEMPLATE } from '$lib/server/registry/registry-import.service';
import type { RequestHandler } from './$types';

/** The CSV template of the registry import (UTF-8 with BOM so Excel shows the Chinese sample rows). */
export const GET: RequestHandler = ({ locals }) => {
  requireRole(locals, ...PERMISSIONS.registryRead);
  return new Response(IMPORT_TEMPLATE, {
    headers: {
      'content-type': 'text/csv; charset=utf-8',
      'content-disposition': 'attachment; filename="linli-registry-template.csv"',
    },
  });
};
