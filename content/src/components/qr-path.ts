import QRCode from 'qrcode';

/** A QR code as an SVG path over a square of `size` modules (quiet zone included), for inline drawing. */
export interface QrPath {
  size: number;
  path: string;
}

/** Modules of quiet zone around the code, as the QR specification asks (4). */
const QUIET_ZONE = 4;

/**
 * Encodes text as a QR code (error correction M) and draws it as one SVG path: inline, so neither the kiosk's nor
 * the CMS's strict CSP needs anything for it, and no image URL is ever built from editor input.
 */
export function qrPath(text: string): QrPath {
  const { modules } = QRCode.create(text, { errorCorrectionLevel: 'M' });
  const size = modules.size;
  const commands: string[] = [];
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      if (modules.get(x, y)) commands.push(`M${x + QUIET_ZONE} ${y + QUIET_ZONE}h1v1h-1z`);
    }
  }
  return { size: size + QUIET_ZONE * 2, path: commands.join('') };
}
