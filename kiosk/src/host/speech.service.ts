import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readdir, readFile, rm } from 'node:fs/promises';
import { delimiter, join } from 'node:path';
import type { Locale } from '@linli/content';
import type { SpeakRequest, SpeechOutcome } from '../shared/kiosk-api';
import { fail, ok, type Result } from '../shared/result';
import type { Logger } from './logger';

/** Why read-aloud failed. */
export type SpeechErrorKind = 'speech-unavailable' | 'speech-failed';

/** espeak-ng voices per UI language: `cmn` is Mandarin (Debian's espeak-ng-data ships it). */
const VOICES: Record<Locale, string> = { 'zh-CN': 'cmn', en: 'en-gb' };

/** The first executable of these names on PATH, or null. */
export function findExecutable(names: readonly string[], path = process.env.PATH ?? ''): string | null {
  for (const name of names) {
    for (const dir of path.split(delimiter)) {
      if (dir && existsSync(join(dir, name))) return join(dir, name);
    }
  }
  return null;
}

/** Duration of a PCM WAV file from its header: data bytes / (rate × channels × bytes per sample). */
export function wavDurationMs(wav: Buffer): number | null {
  if (wav.length < 44 || wav.toString('ascii', 0, 4) !== 'RIFF' || wav.toString('ascii', 8, 12) !== 'WAVE')
    return null;
  let channels = 0;
  let rate = 0;
  let bits = 0;
  for (let at = 12; at + 8 <= wav.length;) {
    const id = wav.toString('ascii', at, at + 4);
    let size = wav.readUInt32LE(at + 4);
    if (id === 'fmt ') {
      channels = wav.readUInt16LE(at + 10);
      rate = wav.readUInt32LE(at + 12);
      bits = wav.readUInt16LE(at + 22);
    } else if (id === 'data') {
      // espeak-ng writing to a file it cannot seek leaves 0xFFFFFFFF here: the data runs to the end.
      if (size === 0xffffffff || at + 8 + size > wav.length) size = wav.length - at - 8;
      if (!channels || !rate || !bits) return null;
      return Math.round((size / (rate * channels * (bits / 8))) * 1000);
    }
    at += 8 + size + (size % 2);
  }
  return null;
}

/** What the speech service runs; detected on PATH by default, injectable for tests. */
export interface SpeechTools {
  /** espeak-ng, or null when it is not installed. */
  synthesizer: string | null;
  /** aplay or paplay, or null when the kiosk has no way to play sound. */
  player: string | null;
}

/** Detects espeak-ng and a player. A player without a sound card (/dev/snd) is as good as none. */
export function detectSpeechTools(): SpeechTools {
  const player = findExecutable(['aplay', 'paplay', 'pw-play']);
  return {
    synthesizer: findExecutable(['espeak-ng']),
    player: player && existsSync('/dev/snd') ? player : null,
  };
}

/**
 * Read-aloud for low-vision residents: espeak-ng synthesises the text (Mandarin voice for zh-CN) into a WAV file
 * in the kiosk's data folder, and a player (aplay/paplay) plays it when the kiosk has sound. Without a player the
 * file is still made and the result says `no-audio-device`, so the renderer can tell the resident calmly. Only
 * one text is spoken at a time; `stop()` ends it and removes the file (it holds what was on the screen).
 */
export class SpeechService {
  private synthesis: ChildProcess | null = null;
  private playback: ChildProcess | null = null;
  private currentFile: string | null = null;
  private generation = 0;

  constructor(
    private readonly dir: string,
    private readonly tools: SpeechTools,
    private readonly logger: Logger,
    private readonly onSpeaking: (speaking: boolean) => void = () => {},
  ) {}

  /** Removes files a crashed run left behind. */
  async init(): Promise<void> {
    await mkdir(this.dir, { recursive: true, mode: 0o700 });
    for (const name of await readdir(this.dir)) await rm(join(this.dir, name), { force: true });
  }

  /** Synthesises `text` and starts playing it; resolves once the audio exists (and plays, where it can). */
  async speak(request: SpeakRequest): Promise<Result<SpeechOutcome & { file: string }, SpeechErrorKind>> {
    if (!this.tools.synthesizer)
      return fail('speech-unavailable', 'espeak-ng is not installed (scripts/setup-system.sh)');
    await this.stop();
    const generation = ++this.generation;
    const file = join(this.dir, `${randomBytes(8).toString('hex')}.wav`);
    this.currentFile = file;
    const synthesised = await this.synthesise(request.text, VOICES[request.locale], file);
    if (generation !== this.generation) return fail('speech-failed', 'stopped before it was ready');
    if (!synthesised.ok) {
      await rm(file, { force: true });
      return synthesised;
    }
    const durationMs = wavDurationMs(await readFile(file)) ?? 0;
    if (!this.tools.player) return ok({ output: 'no-audio-device', durationMs, file });
    const player = spawn(this.tools.player, [file], { stdio: ['ignore', 'ignore', 'pipe'] });
    this.playback = player;
    this.onSpeaking(true);
    let stderr = '';
    player.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    player.on('error', (error) => this.logger.warn('audio player failed', { error: error.message }));
    player.on('exit', (code) => {
      if (this.playback !== player) return;
      this.playback = null;
      if (code !== 0 && code !== null) this.logger.warn('audio player failed', { code, stderr });
      this.onSpeaking(false);
    });
    return ok({ output: 'played', durationMs, file });
  }

  /** Stops synthesis and playback and removes the audio file. */
  async stop(): Promise<void> {
    this.generation += 1;
    for (const child of [this.synthesis, this.playback]) {
      if (child && child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    }
    const wasPlaying = this.playback !== null;
    this.synthesis = null;
    this.playback = null;
    if (wasPlaying) this.onSpeaking(false);
    if (this.currentFile) await rm(this.currentFile, { force: true });
    this.currentFile = null;
  }

  private synthesise(text: string, voice: string, file: string): Promise<Result<void, SpeechErrorKind>> {
    return new Promise((resolve) => {
      // The text goes in on stdin, never as an argument: a text starting with "-" must not become an option.
      const child = spawn(this.tools.synthesizer!, ['-v', voice, '-s', '150', '-w', file, '--stdin'], {
        stdio: ['pipe', 'ignore', 'pipe'],
      });
      this.synthesis = child;
      let stderr = '';
      child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
      child.on('error', (error) => resolve(fail('speech-failed', `espeak-ng: ${error.message}`)));
      child.on('exit', (code, signal) => {
        if (this.synthesis === child) this.synthesis = null;
        if (code === 0) resolve(ok(undefined));
        else resolve(fail('speech-failed', `espeak-ng ended with ${signal ?? code}: ${stderr.trim()}`));
      });
      child.stdin?.on('error', () => undefined);
      child.stdin?.end(text);
    });
  }
}
