// A strict reader of the Prometheus text exposition format 0.0.4, for tests of /metrics (no Prometheus parser is
// installed here). Strict means it refuses what Prometheus would refuse, and also what promtool's linter flags:
// a sample before its TYPE, a family split in two, a repeated series, a counter without `_total`.

/** One parsed sample. */
export interface PrometheusSample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

/** One metric family with its samples, in document order. */
export interface PrometheusFamily {
  name: string;
  help: string;
  type: 'counter' | 'gauge' | 'histogram' | 'summary' | 'untyped';
  samples: PrometheusSample[];
}

const NAME = '[a-zA-Z_:][a-zA-Z0-9_:]*';
const LABEL = '[a-zA-Z_][a-zA-Z0-9_]*';
const LABEL_VALUE = '"(?:[^"\\\\\\n]|\\\\[\\\\"n])*"';
const VALUE = '(?:[+-]?(?:\\d+(?:\\.\\d*)?|\\.\\d+)(?:[eE][+-]?\\d+)?|NaN|[+-]Inf)';
const SAMPLE = new RegExp(
  `^(${NAME})(?:\\{((?:${LABEL}=${LABEL_VALUE})(?:,${LABEL}=${LABEL_VALUE})*)?,?\\})? (${VALUE})(?: (-?\\d+))?$`,
);
const HELP = new RegExp(`^# HELP (${NAME}) (.*)$`);
const TYPE = new RegExp(`^# TYPE (${NAME}) (counter|gauge|histogram|summary|untyped)$`);
const LABEL_PAIR = new RegExp(`(${LABEL})=(${LABEL_VALUE})`, 'g');

function unescape(quoted: string): string {
  return quoted.slice(1, -1).replace(/\\(.)/g, (_, c: string) => (c === 'n' ? '\n' : c));
}

function parseValue(text: string): number {
  if (text === 'NaN') return Number.NaN;
  if (text === '+Inf') return Number.POSITIVE_INFINITY;
  if (text === '-Inf') return Number.NEGATIVE_INFINITY;
  return Number(text);
}

/** The family a sample belongs to (histogram and summary samples carry suffixes). */
function familyOf(sample: string, families: Map<string, PrometheusFamily>): PrometheusFamily | undefined {
  if (families.has(sample)) return families.get(sample);
  const base = sample.replace(/_(bucket|sum|count)$/, '');
  const family = families.get(base);
  return family && (family.type === 'histogram' || family.type === 'summary') ? family : undefined;
}

/** Parses an exposition; throws with the line number on the first violation. */
export function parsePrometheusText(text: string): Map<string, PrometheusFamily> {
  if (!text.endsWith('\n')) throw new Error('the exposition must end with a newline');
  const families = new Map<string, PrometheusFamily>();
  const helps = new Map<string, string>();
  const series = new Set<string>();
  let current: PrometheusFamily | null = null;
  const lines = text.slice(0, -1).split('\n');
  lines.forEach((line, index) => {
    const fail = (why: string): never => {
      throw new Error(`line ${index + 1}: ${why}: ${JSON.stringify(line)}`);
    };
    if (line.startsWith('#')) {
      const help = HELP.exec(line);
      if (help) {
        const [, name = '', doc = ''] = help;
        if (helps.has(name)) fail('second HELP for the same metric');
        helps.set(name, doc);
        return;
      }
      const type = TYPE.exec(line);
      if (type) {
        const [, name = '', kind = ''] = type;
        if (families.has(name)) fail('second TYPE for the same metric');
        if (kind === 'counter' && !name.endsWith('_total')) fail('a counter name must end in _total');
        current = {
          name,
          help: helps.get(name) ?? '',
          type: kind as PrometheusFamily['type'],
          samples: [],
        };
        families.set(name, current);
        return;
      }
      if (/^# (HELP|TYPE)\b/.test(line)) fail('malformed HELP or TYPE line');
      return; // a plain comment
    }
    if (line.trim() === '') fail('empty line');
    const sample = SAMPLE.exec(line);
    if (!sample) return fail('not a sample line');
    const [, name = '', labelText = '', value = ''] = sample;
    const family = familyOf(name, families);
    if (!family) return fail('sample without a preceding TYPE');
    if (family !== current) fail('samples of one metric must be together');
    const labels: Record<string, string> = {};
    for (const [, label = '', quoted = ''] of labelText.matchAll(LABEL_PAIR)) {
      if (label in labels) fail(`label ${label} twice`);
      labels[label] = unescape(quoted);
    }
    const key = `${name}{${Object.entries(labels)
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([k, v]) => `${k}=${JSON.stringify(v)}`)
      .join(',')}}`;
    if (series.has(key)) fail('the same series twice');
    series.add(key);
    family.samples.push({ name, labels, value: parseValue(value) });
  });
  for (const [name] of helps) if (!families.has(name)) throw new Error(`HELP for ${name} without a TYPE`);
  return families;
}

/** The value of the one sample of `name` whose labels include `labels`; throws when there is not exactly one. */
export function sampleValue(
  families: Map<string, PrometheusFamily>,
  name: string,
  labels: Record<string, string> = {},
): number {
  const family = familyOf(name, families);
  const matching = (family?.samples ?? []).filter(
    (sample) =>
      sample.name === name && Object.entries(labels).every(([key, value]) => sample.labels[key] === value),
  );
  if (matching.length !== 1)
    throw new Error(`${matching.length} samples of ${name} ${JSON.stringify(labels)}`);
  return matching[0]!.value;
}
