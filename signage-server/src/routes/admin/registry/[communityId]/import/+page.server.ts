import { fail } from '@sveltejs/kit';
import { requireRole } from '$lib/server/auth/guard';
import { PERMISSIONS } from '$lib/server/auth/permissions';
import {
  IMPORT_COLUMNS,
  IMPORT_MAX_BYTES,
  IMPORT_MAX_ROWS,
} from '$lib/server/registry/registry-import.service';
import { statusFor } from '$lib/server/result';
import type { Actions, PageServerLoad } from './$types';
import { notFound } from '../../registry-form';

export const load: PageServerLoad = ({ locals, params }) => {
  requireRole(locals, ...PERMISSIONS.registryStructure);
  const community = locals.services.registry.getCommunity(params.communityId);
  if (!community) notFound(locals);
  return {
    community,
    columns: IMPORT_COLUMNS.map((c) => ({ name: c.name, alias: c.aliases[0], required: c.required })),
    maxMb: IMPORT_MAX_BYTES / 1024 / 1024,
    maxRows: IMPORT_MAX_ROWS,
    buildings: locals.services.registry.listBuildings(community.id).map((b) => b.code),
  };
};

export const actions: Actions = {
  default: async ({ request, locals, params }) => {
    const actor = requireRole(locals, ...PERMISSIONS.registryStructure);
    const form = await request.formData();
    const file = form.get('file');
    if (!(file instanceof File) || file.size === 0) {
      return fail(400, {
        ok: false as const,
        kind: 'no-file',
        params: {},
        rows: [],
        totalErrors: 0,
        fileName: '',
      });
    }
    // the service checks the size again; this avoids reading a huge upload into memory at all
    if (file.size > IMPORT_MAX_BYTES) {
      return fail(413, {
        ok: false as const,
        kind: 'too-large',
        params: { maxMb: IMPORT_MAX_BYTES / 1024 / 1024 },
        rows: [],
        totalErrors: 0,
        fileName: file.name,
      });
    }
    const bytes = new Uint8Array(await file.arrayBuffer());
    const result = locals.services.registryImport.importCsv(params.communityId, bytes, actor);
    if (!result.ok) {
      return fail(
        result.error.kind === 'rows-invalid' || result.error.kind === 'header'
          ? 422
          : statusFor(result.error.kind),
        {
          ok: false as const,
          kind: result.error.kind as string,
          params: result.error.params ?? {},
          rows: result.rows,
          totalErrors: result.totalErrors,
          fileName: file.name,
        },
      );
    }
    return { ok: true as const, summary: result.value, fileName: file.name };
  },
};
