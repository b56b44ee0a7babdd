import type { AlertSeverity } from '@linli/content';

/** One tone of a pattern: frequency (Hz) and duration (s). */
interface Tone {
  hz: number;
  seconds: number;
}

/**
 * The alarm patterns, made on the spot with WebAudio (no file, no network). Each is distinct from anything else the
 * kiosk plays: critical is the two-tone "hi-lo" of evacuation alarms, warning three short high beeps, a notice one
 * soft chime.
 */
const PATTERNS: Record<AlertSeverity, { tones: Tone[]; repeatMs: number | null }> = {
  critical: {
    tones: [960, 770, 960, 770, 960, 770].map((hz) => ({ hz, seconds: 0.45 })),
    repeatMs: 8_000,
  },
  warning: { tones: [1_200, 0, 1_200, 0, 1_200].map((hz) => ({ hz, seconds: 0.18 })), repeatMs: 30_000 },
  info: { tones: [{ hz: 880, seconds: 0.6 }], repeatMs: null },
};

/** What the alarm sound is doing, for the overlay's `data-sound` (tests and support read it). */
export type AlarmSoundState = 'off' | 'playing' | 'blocked';

// One context for the page's lifetime: making one opens the audio device, which can take a few hundred ms, and
// browsers limit how many a page may hold.
let shared: AudioContext | null = null;

/**
 * Plays the pattern of a severity, repeating while `stop` is not called. A browser that refuses sound without a
 * touch (autoplay policy; the kiosk shells allow it) leaves the context suspended: the state says `blocked` and
 * the next touch anywhere starts it.
 */
export function startAlarm(severity: AlertSeverity, onState: (state: AlarmSoundState) => void): () => void {
  const AudioContextClass = globalThis.AudioContext;
  if (!AudioContextClass) {
    onState('off');
    return () => undefined;
  }
  const context = (shared ??= new AudioContextClass());
  const pattern = PATTERNS[severity];
  const output = context.createGain();
  output.connect(context.destination);
  let timer: ReturnType<typeof setTimeout> | undefined;
  let stopped = false;

  const play = () => {
    if (stopped) return;
    let at = context.currentTime + 0.05;
    for (const tone of pattern.tones) {
      if (tone.hz > 0) {
        const oscillator = context.createOscillator();
        const gain = context.createGain();
        oscillator.type = severity === 'info' ? 'sine' : 'square';
        oscillator.frequency.value = tone.hz;
        // short ramps: a hard start and stop of a square wave clicks
        gain.gain.setValueAtTime(0, at);
        gain.gain.linearRampToValueAtTime(0.25, at + 0.02);
        gain.gain.setValueAtTime(0.25, at + tone.seconds - 0.03);
        gain.gain.linearRampToValueAtTime(0, at + tone.seconds);
        oscillator.connect(gain).connect(output);
        oscillator.start(at);
        oscillator.stop(at + tone.seconds);
      }
      at += tone.seconds;
    }
    if (pattern.repeatMs !== null) timer = setTimeout(play, pattern.repeatMs);
  };

  const unlock = () => void context.resume();
  const report = () => onState(context.state === 'running' ? 'playing' : 'blocked');
  context.onstatechange = report;
  window.addEventListener('pointerdown', unlock);
  void context.resume().finally(report);
  play();

  return () => {
    stopped = true;
    clearTimeout(timer);
    window.removeEventListener('pointerdown', unlock);
    context.onstatechange = null;
    // cuts the tones already scheduled; the context stays for the next alarm
    output.disconnect();
    onState('off');
  };
}
