import { maskPhone } from '../crypto/personal-data';
import type { Logger } from '../logger';

/** One resident asked to confirm one visit. Only masked data, the link, and the phone the SMS goes to. */
export interface HostNotification {
  visitId: string;
  residentId: string;
  residentMasked: string;
  /** The resident's phone for SMS drivers (decrypted only for sending, never logged unmasked); null: none. */
  phone: string | null;
  /** The signed one-time confirmation link (absolute when LINLI_PUBLIC_URL is set, else a path). */
  link: string;
  unitLabel: string;
  visitorMasked: string;
  expiresAt: string;
}

/**
 * How the residents of a visited unit are asked. Every configured notifier is called for every resident; a
 * failing notifier is logged and does not stop the others (the station console always shows the links).
 */
export interface Notifier {
  readonly name: string;
  notify(notification: HostNotification): void | Promise<void>;
}

/** The confirmation link itself: recorded in the log; the station console shows it to the clerk beside the visit. */
export class StationLinkNotifier implements Notifier {
  readonly name = 'link';
  constructor(private readonly log: Logger) {}
  notify(n: HostNotification): void {
    this.log.info(
      { visitId: n.visitId, resident: n.residentMasked, link: n.link, expiresAt: n.expiresAt },
      'visitor confirmation link',
    );
  }
}

/**
 * The SMS interface's logging driver: writes the message it would send, with the number masked. A real SMS
 * gateway implements `Notifier` the same way and replaces this one in the wiring.
 */
export class LoggingSmsNotifier implements Notifier {
  readonly name = 'sms-log';
  readonly sent: { to: string; text: string }[] = [];
  constructor(private readonly log: Logger) {}
  notify(n: HostNotification): void {
    if (!n.phone) return;
    const text = `【邻里】访客 ${n.visitorMasked} 到访 ${n.unitLabel}，请确认：${n.link}`;
    const to = maskPhone(n.phone);
    this.sent.push({ to, text });
    this.log.info({ to, text }, 'sms (logging driver)');
  }
}
