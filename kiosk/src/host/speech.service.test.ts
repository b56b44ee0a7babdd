import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { silentLogger } from './logger';
import { detectSpeechTools, SpeechService, wavDurationMs } from './speech.service';
import { makeTempDir } from './testing/temp-dir';

// Real espeak-ng (apt, scripts/setup-system.sh): the host's read-aloud is only as good as the real synthesiser.
// The player is left out: build machines have no sound card, exactly the case the kiosk must report calmly.
const tools = detectSpeechTools();

let temp: ReturnType<typeof makeTempDir>;
afterEach(() => temp?.remove());

function speech(onSpeaking: (speaking: boolean) => void = () => {}) {
  temp = makeTempDir();
  return new SpeechService(
    join(temp.dir, 'speech'),
    { synthesizer: tools.synthesizer, player: null },
    silentLogger,
    onSpeaking,
  );
}

describe('SpeechService', () => {
  it('finds espeak-ng on this machine (scripts/setup-system.sh installs it)', () => {
    expect(tools.synthesizer).toMatch(/espeak-ng$/);
  });

  it('synthesises a Chinese text with the Mandarin voice into a WAV file and says there is no audio device', async () => {
    const service = speech();
    await service.init();
    const spoken = await service.speak({
      text: '欢迎使用邻里社区信息服务。今天下午三点停水。',
      locale: 'zh-CN',
    });
    expect(spoken.ok).toBe(true);
    if (!spoken.ok) return;
    expect(spoken.value.output).toBe('no-audio-device');
    const wav = readFileSync(spoken.value.file);
    expect(wav.toString('ascii', 0, 4)).toBe('RIFF');
    // Twenty syllables take seconds to say, not milliseconds: the voice really spoke the characters.
    expect(spoken.value.durationMs).toBeGreaterThan(2_000);
    expect(wavDurationMs(wav)).toBe(spoken.value.durationMs);
    // The file holds what was on the screen: stopping (as every session reset does) removes it.
    await service.stop();
    expect(existsSync(spoken.value.file)).toBe(false);
  });

  it('passes the text on stdin, so text that looks like an option is just spoken', async () => {
    const service = speech();
    await service.init();
    const spoken = await service.speak({ text: '--version -w /etc/passwd', locale: 'en' });
    expect(spoken.ok && spoken.value.durationMs).toBeGreaterThan(500);
  });

  it('keeps one file at a time and cleans up what a crashed run left', async () => {
    const service = speech();
    await service.init();
    await service.speak({ text: '第一段', locale: 'zh-CN' });
    await service.speak({ text: '第二段', locale: 'zh-CN' });
    expect(readdirSync(join(temp.dir, 'speech'))).toHaveLength(1);
    await service.init();
    expect(readdirSync(join(temp.dir, 'speech'))).toHaveLength(0);
  });

  it('says so when espeak-ng is missing', async () => {
    temp = makeTempDir();
    const service = new SpeechService(temp.dir, { synthesizer: null, player: null }, silentLogger);
    expect(await service.speak({ text: '你好', locale: 'zh-CN' })).toMatchObject({
      ok: false,
      error: { kind: 'speech-unavailable' },
    });
  });
});
