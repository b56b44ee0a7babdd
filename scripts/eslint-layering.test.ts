import { ESLint } from 'eslint';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

// DESIGN.md's import layering is enforced by eslint.config.js. These cases prove a forbidden import really fails
// `npm run lint` (and an allowed one passes), so the rule cannot silently rot.
const root = path.resolve(import.meta.dirname, '..');
const eslint = new ESLint({ cwd: root });

async function restrictedImportErrors(file: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath: path.join(root, file) });
  return (result?.messages ?? []).filter((m) => m.ruleId === 'no-restricted-imports').map((m) => m.message);
}

const cases: { file: string; code: string; forbidden: boolean }[] = [
  {
    file: 'kiosk/src/renderer/probe.ts',
    code: "import fs from 'node:fs';\nexport const x = fs;\n",
    forbidden: true,
  },
  {
    file: 'kiosk/src/renderer/probe.ts',
    code: "import fs from 'fs';\nexport const x = fs;\n",
    forbidden: true,
  },
  {
    file: 'kiosk/src/renderer/probe.ts',
    code: "import { x } from '../host/probe';\nexport const y = x;\n",
    forbidden: true,
  },
  {
    file: 'kiosk/src/renderer/probe.ts',
    code: "import { x } from '@linli/peripherals';\nexport const y = x;\n",
    forbidden: true,
  },
  {
    file: 'kiosk/src/renderer/probe.ts',
    code: "import { ipcRenderer } from 'electron';\nexport const y = ipcRenderer;\n",
    forbidden: true,
  },
  {
    file: 'kiosk/src/renderer/probe.ts',
    code: "import { CATEGORIES } from '@linli/content';\nexport const y = CATEGORIES;\n",
    forbidden: false,
  },
  {
    file: 'kiosk/src/host/probe.ts',
    code: "import { app } from 'electron';\nexport const y = app;\n",
    forbidden: true,
  },
  {
    file: 'kiosk/src/host/probe.ts',
    code: "import { x } from '@linli/signage-server';\nexport const y = x;\n",
    forbidden: true,
  },
  {
    file: 'kiosk/src/host/probe.ts',
    code: "import fs from 'node:fs';\nexport const y = fs;\n",
    forbidden: false,
  },
  {
    file: 'content/src/probe.ts',
    code: "import fs from 'node:fs';\nexport const y = fs;\n",
    forbidden: true,
  },
  {
    file: 'content/src/probe.ts',
    code: "import { x } from '@linli/kiosk';\nexport const y = x;\n",
    forbidden: true,
  },
  {
    file: 'content/src/node/probe.ts',
    code: "import fs from 'node:fs';\nexport const y = fs;\n",
    forbidden: false,
  },
  {
    file: 'peripherals/src/probe.ts',
    code: "import { x } from '@linli/kiosk';\nexport const y = x;\n",
    forbidden: true,
  },
  {
    file: 'signage-server/src/lib/server/probe.ts',
    code: "import { x } from '@linli/kiosk';\nexport const y = x;\n",
    forbidden: true,
  },
  {
    file: 'signage-server/src/lib/server/probe.ts',
    code: "import { x } from '@linli/peripherals';\nexport const y = x;\n",
    forbidden: true,
  },
];

describe('import layering (eslint.config.js)', () => {
  it.each(cases)('$file: $code', async ({ file, code, forbidden }) => {
    const errors = await restrictedImportErrors(file, code);
    if (forbidden) expect(errors.length).toBeGreaterThan(0);
    else expect(errors).toEqual([]);
  });
});
