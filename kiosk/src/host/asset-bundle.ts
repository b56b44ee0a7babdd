import { ASSET_BUNDLE_HEADER_MAX_BYTES, parseAssetBundleFrameHeader } from '@linli/content';

/** One asset of a bundle answer. Its bytes must be read to their end before the next frame is asked for. */
export interface BundleFrame {
  sha256: string;
  size: number;
  bytes: AsyncIterable<Uint8Array>;
}

/**
 * Reads the frames of an asset bundle answer (`@linli/content` asset-bundle.schema.ts): a header line
 * `<sha256> <size>\n`, then exactly `size` bytes, again and again. Network chunks do not respect frames: a chunk
 * may end inside a header or hold the end of one asset and the start of the next, so what is left of a chunk is
 * kept for the next read. Nothing is copied: an asset's bytes are slices of the chunks as they came.
 */
export class BundleReader {
  private readonly source: AsyncIterator<Uint8Array>;
  private leftover: Uint8Array | null = null;
  /** Bytes of the current frame not read yet. */
  private unread = 0;

  constructor(body: AsyncIterable<Uint8Array>) {
    this.source = body[Symbol.asyncIterator]();
  }

  /** Whether the last frame's bytes were all read (a reader that stopped early leaves the answer unreadable). */
  get frameComplete(): boolean {
    return this.unread === 0;
  }

  /**
   * The next frame, or null when the answer ended cleanly after a frame. Throws when the answer breaks off
   * inside a header, when a header is malformed, or when the last frame was not read to its end.
   */
  async next(): Promise<BundleFrame | null> {
    if (this.unread > 0) throw new Error('the previous asset of the bundle was not read to its end');
    const line = await this.headerLine();
    if (line === null) return null;
    const header = parseAssetBundleFrameHeader(line);
    if (!header)
      throw new Error(`a malformed frame header in the bundle: ${JSON.stringify(line.slice(0, 90))}`);
    this.unread = header.size;
    return { ...header, bytes: this.frameBytes() };
  }

  private async *frameBytes(): AsyncGenerator<Uint8Array> {
    while (this.unread > 0) {
      const chunk = await this.chunk();
      if (!chunk) throw new Error(`the bundle ended ${this.unread} bytes before the end of an asset`);
      if (chunk.byteLength > this.unread) {
        this.leftover = chunk.subarray(this.unread);
        const own = chunk.subarray(0, this.unread);
        this.unread = 0;
        yield own;
      } else {
        this.unread -= chunk.byteLength;
        yield chunk;
      }
    }
  }

  /** The header line without its newline; null at a clean end (no byte after the last frame). */
  private async headerLine(): Promise<string | null> {
    const parts: Uint8Array[] = [];
    let length = 0;
    for (;;) {
      const chunk = await this.chunk();
      if (!chunk) {
        if (length === 0) return null;
        throw new Error('the bundle ended inside a frame header');
      }
      const newline = chunk.indexOf(0x0a);
      const end = newline === -1 ? chunk.byteLength : newline;
      if (length + end >= ASSET_BUNDLE_HEADER_MAX_BYTES)
        throw new Error('a frame header of the bundle is too long');
      parts.push(chunk.subarray(0, end));
      length += end;
      if (newline !== -1) {
        if (newline + 1 < chunk.byteLength) this.leftover = chunk.subarray(newline + 1);
        return Buffer.concat(parts, length).toString('latin1');
      }
    }
  }

  /** The next bytes: what is left of the last chunk, else the next non-empty chunk of the answer; null at its end. */
  private async chunk(): Promise<Uint8Array | null> {
    if (this.leftover) {
      const chunk = this.leftover;
      this.leftover = null;
      return chunk;
    }
    for (;;) {
      const next = await this.source.next();
      if (next.done) return null;
      if (next.value.byteLength > 0) return next.value;
    }
  }
}
