import { parseArgs } from 'node:util';
import type { PeripheralEvent } from '@linli/content';
import { createPcscCardReaderDriver } from '../card/card-reader.pcsc';
import { validateCnIdNumber } from '../document/cn-id.validator';
import type { PeripheralDriver } from '../driver';
import { createNodeHidTransport } from '../hid/hid-transport';
import {
  createKeyboardWedgeDriver,
  KeyboardWedgeDeviceConfig,
  type KeyboardWedgeDeviceInput,
} from '../hid/keyboard-wedge.hid';
import { createPeripheralHub } from '../hub/peripheral-hub';
import { createDocumentReader, documentFromMrzText, type DocumentReading } from '../ocr/document-reader';

// `linli-peripherals`: what an installer runs on a kiosk to see whether its readers work.
//   list                 readers and HID devices present now
//   watch                every event until Ctrl-C
//   ocr <image>          read a passport/ID card MRZ or a resident ID card front
//   mrz <line>…          check typed MRZ lines
//   id <number>          check a resident ID number
// With --json every result or event is one JSON line. An invalid document is a result, not a failure: the exit
// status is 0 and the output says why; 1 means the command itself failed, 2 a usage error.

type Language = 'zh' | 'en';

const MESSAGES = {
  usage: {
    zh: '用法: linli-peripherals <list|watch|ocr <图片>|mrz <行>…|id <号码>> [--json] [--lang zh|en]\n  watch --hid 1a86:e026:card-reader[:decimal-reversed]  监视指定的 HID 读卡器/扫码枪\n  ocr --kind mrz|cn-id|auto  指定证件类型',
    en: 'usage: linli-peripherals <list|watch|ocr <image>|mrz <line>…|id <number>> [--json] [--lang zh|en]\n  watch --hid 1a86:e026:card-reader[:decimal-reversed]  watch a HID card reader/scanner\n  ocr --kind mrz|cn-id|auto  the document kind',
  },
  noReaders: { zh: '未发现读卡器或 HID 设备。', en: 'No readers or HID devices found.' },
  pcscReader: { zh: 'PC/SC 读卡器', en: 'PC/SC reader' },
  hidDevice: { zh: 'HID 设备', en: 'HID device' },
  driverState: { zh: '驱动', en: 'driver' },
  watching: { zh: '正在监视，按 Ctrl-C 退出。', en: 'Watching; press Ctrl-C to stop.' },
  valid: { zh: '有效', en: 'valid' },
  invalid: { zh: '无效', en: 'INVALID' },
  confidence: { zh: '可信度', en: 'confidence' },
  problems: { zh: '问题', en: 'problems' },
  readFailed: { zh: '读取失败', en: 'reading failed' },
} as const;

const EVENT_LABELS: Record<PeripheralEvent['type'], { zh: string; en: string }> = {
  'card-present': { zh: '卡片', en: 'card' },
  'card-removed': { zh: '卡片移开', en: 'card removed' },
  document: { zh: '证件', en: 'document' },
  barcode: { zh: '条码', en: 'barcode' },
  'reader-added': { zh: '设备接入', en: 'reader added' },
  'reader-removed': { zh: '设备移除', en: 'reader removed' },
  error: { zh: '错误', en: 'error' },
};

interface Output {
  json: boolean;
  language: Language;
  print(line: string): void;
}

function languageFrom(flag: string | undefined): Language {
  if (flag === 'en' || flag === 'zh') return flag;
  const locale = process.env.LC_ALL || process.env.LC_MESSAGES || process.env.LANG || '';
  // Chinese is the default: only an explicitly English locale switches.
  return /^en/i.test(locale) ? 'en' : 'zh';
}

/** Runs the CLI; returns the exit status. */
export async function runCli(
  argv: string[],
  write: (line: string) => void = (line) => process.stdout.write(`${line}\n`),
): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        json: { type: 'boolean', default: false },
        lang: { type: 'string' },
        kind: { type: 'string', default: 'auto' },
        hid: { type: 'string', multiple: true, default: [] },
        wait: { type: 'string', default: '1500' },
        help: { type: 'boolean', short: 'h', default: false },
      },
    });
  } catch (error) {
    write(error instanceof Error ? error.message : String(error));
    return 2;
  }
  const { values, positionals } = parsed;
  const out: Output = { json: values.json ?? false, language: languageFrom(values.lang), print: write };
  const [command, ...rest] = positionals;
  if (values.help || !command) {
    write(MESSAGES.usage[out.language]);
    return command || values.help ? 0 : 2;
  }
  switch (command) {
    case 'id':
      return idCommand(rest, out);
    case 'mrz':
      return mrzCommand(rest, out);
    case 'ocr':
      return ocrCommand(rest, values.kind ?? 'auto', out);
    case 'list':
      return listCommand(out, Number(values.wait ?? 1500));
    case 'watch':
      return watchCommand(out, values.hid ?? []);
    default:
      write(MESSAGES.usage[out.language]);
      return 2;
  }
}

function idCommand(args: string[], out: Output): number {
  if (args.length !== 1) {
    out.print(MESSAGES.usage[out.language]);
    return 2;
  }
  const result = validateCnIdNumber(args[0]!);
  if (out.json) {
    out.print(
      JSON.stringify(
        result.ok
          ? { valid: true, ...result.value }
          : { valid: false, number: args[0], reason: result.error.kind, message: result.error.message },
      ),
    );
  } else if (result.ok) {
    const sex = out.language === 'zh' ? (result.value.sex === 'male' ? '男' : '女') : result.value.sex;
    out.print(
      `${MESSAGES.valid[out.language]}: ${result.value.number}  ${result.value.birthDate}  ${sex}  ${result.value.areaCode}`,
    );
  } else {
    out.print(`${MESSAGES.invalid[out.language]}: ${result.error.kind} — ${result.error.message}`);
  }
  return 0;
}

function mrzCommand(lines: string[], out: Output): number {
  if (lines.length === 0) {
    out.print(MESSAGES.usage[out.language]);
    return 2;
  }
  const reading = documentFromMrzText(lines, { via: 'text', input: 'text' });
  if (!reading.ok) {
    // Not even an MRZ shape: still a verdict on the input, not a failure of the tool.
    if (out.json)
      out.print(
        JSON.stringify({
          type: 'document',
          valid: false,
          problems: [reading.error],
          source: { via: 'text', input: 'text' },
        }),
      );
    else out.print(`${MESSAGES.invalid[out.language]}: ${reading.error.kind} — ${reading.error.message}`);
    return 0;
  }
  printDocument(reading.value, 'typed', out);
  return 0;
}

async function ocrCommand(args: string[], kind: string, out: Output): Promise<number> {
  if (args.length !== 1 || !['auto', 'mrz', 'cn-id'].includes(kind)) {
    out.print(MESSAGES.usage[out.language]);
    return 2;
  }
  const reader = createDocumentReader();
  try {
    const reading = await reader.read(
      { kind: 'file', path: args[0]! },
      { kind: kind as 'auto' | 'mrz' | 'cn-id' },
    );
    if (!reading.ok) {
      if (reading.error.kind === 'document-not-found') {
        if (out.json)
          out.print(
            JSON.stringify({
              type: 'document',
              valid: false,
              problems: [reading.error],
              source: { via: 'ocr', input: 'file' },
            }),
          );
        else out.print(`${MESSAGES.invalid[out.language]}: ${reading.error.message}`);
        return 0;
      }
      out.print(
        out.json
          ? JSON.stringify({ type: 'error', ...reading.error })
          : `${MESSAGES.readFailed[out.language]}: ${reading.error.kind} — ${reading.error.message}`,
      );
      return 1;
    }
    printDocument(reading.value, args[0]!, out);
    return 0;
  } finally {
    await reader.close();
  }
}

function printDocument(reading: DocumentReading, reader: string, out: Output): void {
  if (out.json) {
    out.print(JSON.stringify({ type: 'document', at: new Date().toISOString(), reader, ...reading }));
    return;
  }
  const verdict = reading.valid ? MESSAGES.valid[out.language] : MESSAGES.invalid[out.language];
  out.print(
    `${reading.kind}: ${verdict} (${MESSAGES.confidence[out.language]} ${reading.confidence.toFixed(2)})`,
  );
  for (const [field, { value, confidence }] of Object.entries(reading.fields)) {
    if (field === 'mrz') continue;
    out.print(`  ${field.padEnd(20)} ${value}${confidence < 1 ? `  (${confidence.toFixed(2)})` : ''}`);
  }
  if (reading.problems.length > 0) {
    out.print(`${MESSAGES.problems[out.language]}:`);
    for (const problem of reading.problems)
      out.print(`  ${problem.kind}${problem.field ? ` [${problem.field}]` : ''}: ${problem.message}`);
  }
}

function hidDrivers(specs: string[]): PeripheralDriver[] {
  if (specs.length === 0) return [];
  const devices: KeyboardWedgeDeviceInput[] = specs.map((spec) => {
    const [vendorId, productId, role = 'card-reader', uidFormat] = spec.split(':');
    return KeyboardWedgeDeviceConfig.parse({
      vendorId: vendorId ?? '',
      productId: productId ?? '',
      role,
      ...(uidFormat ? { uidFormat } : {}),
    });
  });
  return [createKeyboardWedgeDriver({ devices })];
}

function describeEvent(event: PeripheralEvent, language: Language): string {
  const label = EVENT_LABELS[event.type][language];
  switch (event.type) {
    case 'card-present':
      return `${label}: ${event.reader}  UID ${event.uid}  ${event.technology}${event.atr ? `  ATR ${event.atr}` : ''}`;
    case 'card-removed':
      return `${label}: ${event.reader}`;
    case 'document':
      return `${label}: ${event.reader}  ${event.kind}  ${event.valid ? MESSAGES.valid[language] : MESSAGES.invalid[language]}`;
    case 'barcode':
      return `${label}: ${event.reader}  ${event.text}`;
    case 'reader-added':
    case 'reader-removed':
      return `${label}: ${event.reader} (${event.driver})`;
    case 'error':
      return `${label}: ${event.reader ?? '-'}  ${event.kind}: ${event.message}`;
  }
}

async function listCommand(out: Output, waitMs: number): Promise<number> {
  const hub = createPeripheralHub({
    drivers: [createPcscCardReaderDriver()],
    backoff: { initialMs: 5000 },
    log: () => {},
  });
  const readers: string[] = [];
  hub.onEvent((event) => {
    if (event.type === 'reader-added') readers.push(event.reader);
  });
  await hub.start();
  // pcscd reports readers asynchronously; give it a moment.
  await new Promise((resolve) => setTimeout(resolve, waitMs));
  const status = hub.status();
  await hub.stop();
  const hid = await createNodeHidTransport().list();
  const hidDevices = hid.ok ? hid.value : [];
  if (out.json) {
    for (const reader of readers) out.print(JSON.stringify({ kind: 'pcsc', reader }));
    for (const device of hidDevices) out.print(JSON.stringify({ kind: 'hid', ...device }));
    for (const driver of status)
      out.print(
        JSON.stringify({
          kind: 'driver',
          driver: driver.driver,
          state: driver.state,
          lastError: driver.lastError,
        }),
      );
    if (!hid.ok)
      out.print(
        JSON.stringify({ kind: 'driver', driver: 'hid', state: 'unavailable', lastError: hid.error }),
      );
    return 0;
  }
  for (const reader of readers) out.print(`${MESSAGES.pcscReader[out.language]}: ${reader}`);
  for (const device of hidDevices) {
    const id = `${device.vendorId.toString(16).padStart(4, '0')}:${device.productId.toString(16).padStart(4, '0')}`;
    out.print(
      `${MESSAGES.hidDevice[out.language]}: ${id}  ${device.manufacturer ?? ''} ${device.product ?? ''}  ${device.path}`,
    );
  }
  if (readers.length === 0 && hidDevices.length === 0) out.print(MESSAGES.noReaders[out.language]);
  for (const driver of status) {
    out.print(
      `${MESSAGES.driverState[out.language]} ${driver.driver}: ${driver.state}${driver.lastError ? ` (${driver.lastError.kind}: ${driver.lastError.message})` : ''}`,
    );
  }
  if (!hid.ok)
    out.print(`${MESSAGES.driverState[out.language]} hid: ${hid.error.kind} (${hid.error.message})`);
  return 0;
}

async function watchCommand(out: Output, hidSpecs: string[]): Promise<number> {
  let drivers: PeripheralDriver[];
  try {
    drivers = [createPcscCardReaderDriver(), ...hidDrivers(hidSpecs)];
  } catch (error) {
    out.print(error instanceof Error ? error.message : String(error));
    return 2;
  }
  const hub = createPeripheralHub({ drivers, log: () => {} });
  hub.onEvent((event) =>
    out.print(out.json ? JSON.stringify(event) : `${event.at}  ${describeEvent(event, out.language)}`),
  );
  const interrupted = new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  await hub.start();
  // Said once Ctrl-C is handled and the drivers run, so a script may wait for it; on stderr with --json, so the
  // JSON lines on stdout stay pure.
  if (out.json) process.stderr.write(`${MESSAGES.watching[out.language]}\n`);
  else out.print(MESSAGES.watching[out.language]);
  await interrupted;
  await hub.stop();
  return 0;
}

if (import.meta.url === `file://${process.argv[1]}` || process.env.LINLI_PERIPHERALS_CLI === '1') {
  runCli(process.argv.slice(2)).then(
    (status) => process.exit(status),
    (error) => {
      console.error(error);
      process.exit(1);
    },
  );
}
