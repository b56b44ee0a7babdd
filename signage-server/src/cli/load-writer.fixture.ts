// A load generator for the backup tests: writes content and registry rows in pairs, one transaction per pair,
// until killed. Each pair carries the same sequence number, so a consistent snapshot holds complete pairs only.
import { openDatabase } from '../lib/server/db/database';

const db = openDatabase(process.argv[2] ?? 'linli.db');
db.prepare(`INSERT OR IGNORE INTO communities (id, name, created_at) VALUES ('load', 'load', ?)`).run(
  new Date().toISOString(),
);
const writePair = db.transaction((sequence: number) => {
  const at = new Date().toISOString();
  db.prepare(
    `INSERT INTO content_items (id, locale, category, title, status, created_at, updated_at)
     VALUES (?, 'zh-CN', 'notice', ?, 'published', ?, ?)`,
  ).run(`load-${sequence}`, `负载 ${sequence}`, at, at);
  db.prepare(`INSERT INTO buildings (id, community_id, code, name, floors) VALUES (?, 'load', ?, ?, 6)`).run(
    `load-${sequence}`,
    `B${sequence}`,
    `楼 ${sequence}`,
  );
});
let sequence = 0;
process.stdout.write('writing\n');
for (;;) {
  writePair.immediate(++sequence);
  if (sequence % 50 === 0) await new Promise((resolve) => setImmediate(resolve));
}
