// Run by logger.test.ts as a child whose stderr the parent closes: logs like the supervisor does (including from
// its uncaughtException handler) and prints on stdout how often that handler ran.
import { createLogger } from './logger';

const logger = createLogger('fixture');
let uncaught = 0;
process.on('uncaughtException', (error) => {
  uncaught++;
  logger.error('fixture error; carrying on', { error: error.message });
});
// wait until the parent has closed its end of stderr, then log for a while
setTimeout(() => {
  const timer = setInterval(() => logger.info('a line nobody reads'), 5);
  setTimeout(() => {
    clearInterval(timer);
    process.stdout.write(`${JSON.stringify({ uncaught })}\n`);
  }, 300);
}, 200);
