import { AlertRepository } from './alerts/alert.repository';
import { alertOptionsFrom, type AlertOptions } from './alerts/alert.schema';
import { AlertService } from './alerts/alert.service';
import type { AuditService } from './audit/audit.service';
import type { Clock } from './clock';
import type { Db } from './db/database';
import type { DeviceService } from './devices/device.service';
import { createLogger } from './logger';
import type { DeviceEventHub } from './manifest/device-events';

/** The emergency-alert half of the server. */
export interface AlertServices {
  alerts: AlertService;
}

/** What alerts are built on: the devices (targeting) and their event streams (push). */
export interface AlertDependencies {
  clock: Clock;
  db: Db;
  audit: Pick<AuditService, 'record'>;
  devices: Pick<DeviceService, 'list' | 'get'>;
  deviceEvents: Pick<DeviceEventHub, 'sendToDevice' | 'onSubscribed'>;
  options?: Partial<AlertOptions>;
}

/**
 * Wires the alert service: every event stream that opens gets the device's active alerts at once (a kiosk that was
 * restarted or offline during a raise or a clear catches up), and the expiry timer starts.
 */
export function createAlertServices({
  clock,
  db,
  audit,
  devices,
  deviceEvents,
  options = alertOptionsFrom(),
}: AlertDependencies): AlertServices {
  const alerts = new AlertService(
    new AlertRepository(db),
    devices,
    deviceEvents,
    audit,
    clock,
    createLogger('alerts'),
    options,
  );
  deviceEvents.onSubscribed((deviceId) => alerts.sendTo(deviceId));
  alerts.start();
  return { alerts };
}
