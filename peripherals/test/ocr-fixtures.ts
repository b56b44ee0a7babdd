import { execFile } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { pathToFileURL } from 'node:url';
import { cnIdCheckCharacter } from '../src/document/cn-id.validator';
import { buildMrz, type MrzInput } from '../src/document/mrz.builder';

// Test images for the OCR pipeline, made here rather than collected: synthetic passports, ID cards and Chinese
// resident ID card fronts with invented people, rendered by real ImageMagick with OCR-B (fonts-ocr-b) and Noto
// CJK (fonts-noto-cjk), then degraded the way a kiosk camera or scanner degrades them: 1–3° rotation, blur,
// sensor noise, uneven light, JPEG. Each image has its true values beside it. Never put a real person's document
// here. Generation is deterministic (seeded) and cached, so tests and the benchmark read the same set.
//
//   npx tsx peripherals/test/ocr-fixtures.ts [outDir]   writes the set and prints where

const run = promisify(execFile);

/** Bump when the rendering changes, so caches of the old set are not reused. */
const FIXTURE_VERSION = 3;
/** Debian's real ImageMagick; /usr/local/bin/convert on our machines is a stand-in. */
const CONVERT = '/usr/bin/convert';

export interface MrzFixture {
  kind: 'mrz';
  file: string;
  format: 'td1' | 'td2' | 'td3';
  lines: string[];
  /** The fields parseMrz must give. */
  fields: Record<string, string>;
}

export interface CnIdFixture {
  kind: 'cn-id';
  file: string;
  fields: {
    name: string;
    sex: '男' | '女';
    ethnicity: string;
    birthDate: string;
    address: string;
    idNumber: string;
  };
}

export interface OcrFixtureSet {
  dir: string;
  mrz: MrzFixture[];
  cnId: CnIdFixture[];
}

export interface FixtureOptions {
  mrzCount?: number;
  cnIdCount?: number;
  seed?: number;
  /** `stress`: harsher than a kiosk should ever see (low resolution, heavy blur and noise), to show that what the
   * reader gets wrong it reports as doubtful. */
  severity?: 'normal' | 'stress';
  /** Where to write (default: a cache directory keyed by version, counts and seed). */
  dir?: string;
}

/** Why fixtures cannot be made on this machine, or null when they can. */
export function fixtureToolsMissing(): string | null {
  if (!fs.existsSync(CONVERT)) return `${CONVERT} is missing (apt package imagemagick)`;
  if (!fs.existsSync('/usr/share/fonts/opentype/ocr-b/OCRB.otf'))
    return 'the OCR-B font is missing (apt package fonts-ocr-b)';
  if (!fs.readdirSync('/usr/share/fonts/opentype').some((dir) => dir.startsWith('noto')))
    return 'Noto CJK is missing (apt package fonts-noto-cjk)';
  return null;
}

/** Makes (or reuses) the fixture set. */
export async function ensureOcrFixtures(options: FixtureOptions = {}): Promise<OcrFixtureSet> {
  const mrzCount = options.mrzCount ?? 60;
  const cnIdCount = options.cnIdCount ?? 40;
  const seed = options.seed ?? 20_261_125;
  const severity = options.severity ?? 'normal';
  const key = `v${FIXTURE_VERSION}-${severity}-${mrzCount}-${cnIdCount}-${seed}`;
  const dir = options.dir ?? path.join(os.tmpdir(), 'linli-ocr-fixtures', key);
  const manifestPath = path.join(dir, 'truth.json');
  if (fs.existsSync(manifestPath)) {
    const cached = JSON.parse(fs.readFileSync(manifestPath, 'utf8')) as OcrFixtureSet & { key: string };
    if (cached.key === key) return { ...cached, dir };
  }
  const missing = fixtureToolsMissing();
  if (missing) throw new Error(`cannot make OCR fixtures: ${missing}`);
  // Test files run in parallel and may all want the set: each builds it in its own directory and renames it into
  // place, so nobody ever reads a half-written image.
  const finalDir = dir;
  fs.mkdirSync(path.dirname(finalDir), { recursive: true });
  const buildDir = `${finalDir}.building-${process.pid}-${crypto.randomBytes(4).toString('hex')}`;
  fs.mkdirSync(buildDir, { recursive: true });
  const random = mulberry32(seed);
  const mrz: MrzFixture[] = [];
  const jobs: (() => Promise<void>)[] = [];
  for (let i = 0; i < mrzCount; i += 1) {
    const format = (['td3', 'td1', 'td2'] as const)[i % 3]!;
    const input = randomMrzDocument(random, format);
    const lines = buildMrz(input);
    const file = `mrz-${String(i).padStart(3, '0')}-${format}.jpg`;
    const degrade = randomDegradation(random, severity);
    mrz.push({ kind: 'mrz', file, format, lines, fields: expectedMrzFields(input, lines) });
    jobs.push(() => renderMrzDocument(path.join(buildDir, file), input, lines, degrade, random.fork()));
  }
  const cnId: CnIdFixture[] = [];
  for (let i = 0; i < cnIdCount; i += 1) {
    const fields = randomCnIdPerson(random);
    const file = `cn-id-${String(i).padStart(3, '0')}.jpg`;
    const degrade = randomDegradation(random, severity);
    cnId.push({ kind: 'cn-id', file, fields });
    jobs.push(() => renderCnIdFront(path.join(buildDir, file), fields, degrade, random.fork()));
  }
  // Two ImageMagick processes at a time: the machines have two cores.
  await runPool(jobs, 2);
  const set = { key, dir: finalDir, mrz, cnId };
  fs.writeFileSync(path.join(buildDir, 'truth.json'), JSON.stringify(set, null, 1));
  try {
    fs.renameSync(buildDir, finalDir);
  } catch {
    // Another process finished first (or a stale partial directory is in the way): use theirs if complete.
    fs.rmSync(buildDir, { recursive: true, force: true });
    if (!fs.existsSync(manifestPath))
      throw new Error(`${finalDir} exists without truth.json; delete it and run again`);
  }
  return set;
}

async function runPool(jobs: (() => Promise<void>)[], size: number): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: size }, async () => {
      while (next < jobs.length) {
        const job = jobs[next]!;
        next += 1;
        await job();
      }
    }),
  );
}

// ---- random people and documents -------------------------------------------------------------------------

interface Random {
  (): number;
  int(min: number, max: number): number;
  pick<T>(items: readonly T[]): T;
  fork(): Random;
}

function mulberry32(seed: number): Random {
  let state = seed >>> 0;
  const next = (() => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }) as Random;
  next.int = (min, max) => min + Math.floor(next() * (max - min + 1));
  next.pick = (items) => items[Math.floor(next() * items.length)]!;
  next.fork = () => mulberry32(Math.floor(next() * 2 ** 32));
  return next;
}

// Invented names: common surname and given-name stock of several countries, plus pinyin. Letters that OCR
// confuses with the `<` filler (K, L, C, S, E) are well represented on purpose.
const SURNAMES = [
  'ERIKSSON',
  'KLEIN',
  'LECLERC',
  'SCHULZ',
  'KOWALSKI',
  'NGUYEN',
  'GARCIA',
  'OKAFOR',
  'LINDQVIST',
  'ZHANG',
  'LIU',
  'CHEN',
  'WANG',
  'SATO',
  'KIM',
  'MACLEOD',
  'OCONNELL',
  'BECKER',
  'SILVA',
  'PETROV',
  'KEKKONEN',
  'LEE',
  'SOKOLOV',
  'CASTILLO',
];
const GIVEN = [
  'ANNA',
  'MARIA',
  'KLAUS',
  'LUCAS',
  'CLAIRE',
  'SOFIA',
  'ERIK',
  'LEILA',
  'KAI',
  'XIAOMING',
  'LI',
  'WEI',
  'JOHN',
  'ELSE',
  'CHLOE',
  'SEBASTIAN',
  'AKIKO',
  'OLUWASEUN',
  'KELLY',
  'LARS',
  'CECILIA',
  'YUKI',
];
const STATES = [
  'UTO',
  'GBR',
  'FRA',
  'D',
  'USA',
  'CAN',
  'JPN',
  'KOR',
  'CHN',
  'HKG',
  'SGP',
  'AUS',
  'NLD',
  'ITA',
  'SWE',
  'POL',
];
const ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';

function isoDate(random: Random, fromYear: number, toYear: number): string {
  const year = random.int(fromYear, toYear);
  const month = random.int(1, 12);
  const day = random.int(1, new Date(Date.UTC(year, month, 0)).getUTCDate());
  return `${year}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`;
}

function randomMrzDocument(random: Random, format: 'td1' | 'td2' | 'td3'): MrzInput {
  const numberLength = format === 'td1' && random() < 0.15 ? 12 : random() < 0.2 ? random.int(6, 8) : 9;
  const documentNumber = Array.from({ length: numberLength }, (_, i) =>
    i < 2 && random() < 0.6 ? random.pick([...'ABCDEFGHIJKLMNOPQRSTUVWXYZ']) : random.pick([...ALNUM]),
  ).join('');
  const given = Array.from({ length: random.int(1, 2) }, () => random.pick(GIVEN)).join(' ');
  const optional =
    random() < 0.4
      ? Array.from({ length: random.int(3, format === 'td3' ? 12 : 7) }, () => random.pick([...ALNUM])).join(
          '',
        )
      : '';
  return {
    format,
    documentCode: format === 'td3' ? 'P' : random.pick(['I', 'ID', 'AC', 'C']),
    issuingState: random.pick(STATES),
    nationality: random.pick(STATES),
    primaryIdentifier:
      random() < 0.2 ? `${random.pick(SURNAMES)} ${random.pick(SURNAMES)}` : random.pick(SURNAMES),
    secondaryIdentifier: given,
    documentNumber,
    birthDate: isoDate(random, 1935, 2018),
    sex: random.pick(['male', 'female', 'female', 'male', 'unspecified'] as const),
    expiryDate: isoDate(random, 2024, 2036),
    optionalData1: optional,
  };
}

/** What parseMrz must read back: the builder may truncate long names, so the names come from the lines. */
function expectedMrzFields(input: MrzInput, lines: string[]): Record<string, string> {
  const nameField = input.format === 'td1' ? lines[2]! : lines[0]!.slice(5);
  const [primary = '', secondary = ''] = nameField.replace(/<+$/, '').split('<<');
  return {
    documentCode: input.documentCode,
    issuingState: input.issuingState,
    documentNumber: input.documentNumber,
    primaryIdentifier: primary.replace(/</g, ' '),
    secondaryIdentifier: secondary.replace(/</g, ' ').trim(),
    nationality: input.nationality,
    birthDate: input.birthDate,
    sex: input.sex,
    expiryDate: input.expiryDate,
    optionalData1: input.optionalData1 ?? '',
  };
}

const CN_SURNAMES = [
  ...'王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤',
];
const CN_GIVEN = [
  ...'伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超秀兰霞平刚桂英文辉华建国志红玉梅晓东海燕鹏飞雪琳子涵浩宇欣怡梓萱宇轩雨桐一诺俊杰思远嘉怡',
];
const ETHNICITIES = [
  '汉',
  '汉',
  '汉',
  '汉',
  '汉',
  '回',
  '满',
  '蒙古',
  '壮',
  '维吾尔',
  '苗',
  '彝',
  '土家',
  '藏',
  '朝鲜',
];
/** Public GB/T 2260 county-level codes and the address prefix that goes with each. */
const AREAS: [string, string][] = [
  ['110105', '北京市朝阳区'],
  ['110108', '北京市海淀区'],
  ['310104', '上海市徐汇区'],
  ['440305', '广东省深圳市南山区'],
  ['440106', '广东省广州市天河区'],
  ['320102', '江苏省南京市玄武区'],
  ['330106', '浙江省杭州市西湖区'],
  ['510107', '四川省成都市武侯区'],
  ['420106', '湖北省武汉市武昌区'],
  ['610113', '陕西省西安市雁塔区'],
  ['370202', '山东省青岛市市南区'],
  ['500103', '重庆市渝中区'],
];
const STREETS = [
  '建国路',
  '中山路',
  '人民大道',
  '解放路',
  '长江路',
  '和平里',
  '光明街',
  '幸福路',
  '科技园路',
  '文化路',
];

function randomCnIdPerson(random: Random): CnIdFixture['fields'] {
  const [areaCode, areaName] = random.pick(AREAS);
  const birthDate = isoDate(random, 1940, 2007);
  const male = random() < 0.5;
  const sequence =
    random.int(0, 99) * 10 + (male ? random.pick([1, 3, 5, 7, 9]) : random.pick([0, 2, 4, 6, 8]));
  const first17 = areaCode + birthDate.replace(/-/g, '') + String(sequence).padStart(3, '0');
  const givenLength = random() < 0.6 ? 2 : 1;
  const name =
    random.pick(CN_SURNAMES) + Array.from({ length: givenLength }, () => random.pick(CN_GIVEN)).join('');
  const address = `${areaName}${random.pick(STREETS)}${random.int(1, 399)}号${random.int(1, 30)}栋${random.int(1, 6)}单元${random.int(101, 2808)}室`;
  return {
    name,
    sex: male ? '男' : '女',
    ethnicity: random.pick(ETHNICITIES),
    birthDate,
    address,
    idNumber: first17 + cnIdCheckCharacter(first17),
  };
}

// ---- rendering --------------------------------------------------------------------------------------------

interface Degradation {
  pxPerMm: number;
  rotateDeg: number;
  blurSigma: number;
  noise: number;
  /** Darkest corner of the uneven light, as grey percent. */
  shadePercent: number;
  shadeKind: 'radial' | 'linear';
  jpegQuality: number;
}

function randomDegradation(random: Random, severity: 'normal' | 'stress'): Degradation {
  if (severity === 'stress') {
    return {
      pxPerMm: 5.5 + random() * 1.5,
      rotateDeg: (random() < 0.5 ? -1 : 1) * (1 + random() * 2),
      blurSigma: 1 + random() * 0.8,
      noise: 0.5 + random() * 0.3,
      shadePercent: 40 + random() * 30,
      shadeKind: random() < 0.5 ? 'radial' : 'linear',
      jpegQuality: random.int(55, 70),
    };
  }
  return {
    pxPerMm: 7.5 + random() * 2.5,
    rotateDeg: (random() < 0.5 ? -1 : 1) * (1 + random() * 2),
    blurSigma: 0.3 + random() * 0.8,
    noise: 0.2 + random() * 0.4,
    shadePercent: 55 + random() * 30,
    shadeKind: random() < 0.5 ? 'radial' : 'linear',
    jpegQuality: random.int(72, 90),
  };
}

const OCR_B = '/usr/share/fonts/opentype/ocr-b/OCRB.otf';
/** OCR-B advances 0.727 em per character; ICAO 9303 prints MRZ characters at 2.54 mm pitch. */
const OCR_B_ADVANCE_EM = 0.727;
const MRZ_PITCH_MM = 2.54;

/** Shared tail of every image: light, blur, rotation onto a desk, noise, greyscale JPEG. */
function degradeArgs(width: number, height: number, d: Degradation, seed: number, out: string): string[] {
  const shade = `gray${Math.round(d.shadePercent)}`;
  const light =
    d.shadeKind === 'radial'
      ? [`radial-gradient:white-${shade}`]
      : ['-define', `gradient:angle=${Math.round(d.rotateDeg * 40 + 90)}`, `gradient:white-${shade}`];
  return [
    '(',
    '-size',
    `${width}x${height}`,
    ...light,
    ')',
    '-compose',
    'multiply',
    '-composite',
    '-bordercolor',
    '#8a8378',
    '-border',
    `${Math.round(width * 0.04)}x${Math.round(height * 0.05)}`,
    '-background',
    '#8a8378',
    '-rotate',
    d.rotateDeg.toFixed(2),
    '-blur',
    `0x${d.blurSigma.toFixed(2)}`,
    '-seed',
    String(seed),
    '-attenuate',
    d.noise.toFixed(2),
    '+noise',
    'Gaussian',
    '-colorspace',
    'Gray',
    '-quality',
    String(d.jpegQuality),
    out,
  ];
}

async function renderMrzDocument(
  out: string,
  input: MrzInput,
  lines: string[],
  d: Degradation,
  random: Random,
): Promise<void> {
  const [widthMm, heightMm] =
    input.format === 'td3' ? [125, 88] : input.format === 'td2' ? [105, 74] : [85.6, 54];
  const mm = (value: number) => Math.round(value * d.pxPerMm);
  const width = mm(widthMm);
  const height = mm(heightMm);
  const pitch = MRZ_PITCH_MM * d.pxPerMm;
  const mrzPointSize = (pitch / OCR_B_ADVANCE_EM).toFixed(2);
  const lineStepMm = input.format === 'td1' ? 4.6 : 5.4;
  const mrzLeft = (widthMm - lines[0]!.length * MRZ_PITCH_MM) / 2;
  const label = (text: string, xMm: number, yMm: number, sizeMm: number) => [
    '-pointsize',
    (sizeMm * d.pxPerMm).toFixed(1),
    '-annotate',
    `+${mm(xMm)}+${mm(yMm)}`,
    text,
  ];
  const title = input.format === 'td3' ? 'PASSPORT / PASSEPORT' : 'IDENTITY CARD / CARTE D IDENTITE';
  const textLeft = input.format === 'td1' ? 6 : 40;
  // TD1 cards are small: the visual zone must end above the three MRZ lines.
  const rows = input.format === 'td1' ? [6, 11, 15, 19.5, 23.5, 28.5] : [8, 17, 21.5, 27, 31.5, 38];
  const args = [
    '-size',
    `${width}x${height}`,
    `xc:${random.pick(['#efe9dc', '#e8eef0', '#f1ece4', '#e9efe6'])}`,
    // A faint guilloche-like band, the way security printing sits behind the text.
    '-fill',
    'none',
    '-stroke',
    '#d2cbbb',
    '-strokewidth',
    String(Math.max(1, Math.round(d.pxPerMm * 0.3))),
    '-draw',
    `path 'M 0,${mm(heightMm * 0.3)} C ${mm(widthMm * 0.3)},${mm(heightMm * 0.1)} ${mm(widthMm * 0.6)},${mm(heightMm * 0.5)} ${width},${mm(heightMm * 0.25)}'`,
    '-stroke',
    'none',
    '-fill',
    '#3b3b3b',
    '-font',
    'DejaVu-Sans',
    ...label(title, textLeft, rows[0]!, 3.2),
    ...label(`Surname / Nom`, textLeft, rows[1]!, 2),
    ...label(input.primaryIdentifier, textLeft, rows[2]!, 3),
    ...label(`Given names / Prénoms`, textLeft, rows[3]!, 2),
    ...label(input.secondaryIdentifier || '-', textLeft, rows[4]!, 3),
    ...label(`No. ${input.documentNumber}   ${input.birthDate}`, textLeft, rows[5]!, 2.6),
  ];
  if (input.format !== 'td1')
    args.push('-fill', '#9c9c9c', '-draw', `rectangle ${mm(6)},${mm(12)} ${mm(34)},${mm(48)}`);
  args.push('-fill', '#111111', '-font', OCR_B, '-pointsize', mrzPointSize);
  lines.forEach((line, i) => {
    const baselineMm = heightMm - 4.5 - (lines.length - 1 - i) * lineStepMm;
    args.push('-annotate', `+${mm(mrzLeft)}+${mm(baselineMm)}`, line);
  });
  args.push(...degradeArgs(width, height, d, Math.floor(random() * 1e9), out));
  await run(CONVERT, args);
}

async function renderCnIdFront(
  out: string,
  fields: CnIdFixture['fields'],
  d: Degradation,
  random: Random,
): Promise<void> {
  const pxPerMm = d.pxPerMm + 1.5; // ID cards are small: scanners and cameras get closer
  const mm = (value: number) => Math.round(value * pxPerMm);
  const width = mm(85.6);
  const height = mm(54);
  const at = (xMm: number, yMm: number) => `+${mm(xMm)}+${mm(yMm)}`;
  const size = (heightMm: number) => (heightMm * pxPerMm).toFixed(1);
  const [year, month, day] = fields.birthDate.split('-').map(Number) as [number, number, number];
  const addressLines = fields.address.match(/.{1,11}/gu) ?? [fields.address];
  const labelColour = random.pick(['#3a6ea5', '#4a79b0', '#2f6a9e']);
  const args = [
    '-size',
    `${width}x${height}`,
    `xc:${random.pick(['#eef3f1', '#f0f2ec', '#edf1f4'])}`,
    '-fill',
    'none',
    '-stroke',
    '#d9e2de',
    '-strokewidth',
    String(Math.max(1, Math.round(pxPerMm * 0.25))),
    '-draw',
    `path 'M 0,${mm(30)} C ${mm(25)},${mm(18)} ${mm(55)},${mm(42)} ${width},${mm(26)}'`,
    '-stroke',
    'none',
    '-fill',
    '#a7aeb0',
    '-draw',
    `rectangle ${mm(57)},${mm(6)} ${mm(80)},${mm(36)}`,
    '-font',
    'Noto-Sans-CJK-SC',
    '-fill',
    labelColour,
    '-pointsize',
    size(2.6),
    '-annotate',
    at(6.5, 10),
    '姓 名',
    '-annotate',
    at(6.5, 16.5),
    '性 别',
    '-annotate',
    at(24, 16.5),
    '民 族',
    '-annotate',
    at(6.5, 23),
    '出 生',
    '-annotate',
    at(6.5, 29.5),
    '住 址',
    '-annotate',
    at(6.5, 48.5),
    '公民身份号码',
    '-fill',
    '#141414',
    '-font',
    'Noto-Sans-CJK-SC',
    '-pointsize',
    size(3.4),
    '-annotate',
    at(16, 10.3),
    fields.name,
    '-pointsize',
    size(2.9),
    '-annotate',
    at(16, 16.5),
    fields.sex,
    '-annotate',
    at(33.5, 16.5),
    fields.ethnicity,
    '-annotate',
    at(16, 23),
    String(year),
    '-fill',
    labelColour,
    '-pointsize',
    size(2.6),
    '-annotate',
    at(25.5, 23),
    '年',
    '-annotate',
    at(33.5, 23),
    '月',
    '-annotate',
    at(41.5, 23),
    '日',
    '-fill',
    '#141414',
    '-pointsize',
    size(2.9),
    '-annotate',
    at(30, 23),
    String(month),
    '-annotate',
    at(37.5, 23),
    String(day),
  ];
  addressLines.forEach((line, i) => args.push('-annotate', at(16, 29.5 + i * 5), line));
  // The number is printed in an OCR-B-like face with wide spacing.
  args.push(
    '-font',
    OCR_B,
    '-kerning',
    String((0.35 * pxPerMm).toFixed(1)),
    '-pointsize',
    size(3.6),
    '-annotate',
    at(31, 48.7),
    fields.idNumber,
  );
  args.push(...degradeArgs(width, height, d, Math.floor(random() * 1e9), out));
  await run(CONVERT, args);
}

/** A stable digest of a fixture file, for logs. */
export function fixtureDigest(file: string): string {
  return crypto.createHash('sha256').update(fs.readFileSync(file)).digest('hex').slice(0, 12);
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const set = await ensureOcrFixtures(process.argv[2] ? { dir: path.resolve(process.argv[2]) } : {});
  console.log(`${set.mrz.length} MRZ and ${set.cnId.length} CN ID images in ${set.dir}`);
}
