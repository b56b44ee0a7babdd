import { execFile } from 'node:child_process';
import sharp from 'sharp';
import { z } from 'zod';
import type { MediaKind } from './asset.schema';

/** What processing learnt about a file, and its preview (WebP), if one could be made. */
export interface MediaInfo {
  width: number | null;
  height: number | null;
  durationMs: number | null;
  codec: string | null;
  preview: Buffer | null;
}

/** A file that passed the magic-byte check but cannot be decoded (corrupt, truncated, no video stream…). */
export class MediaProcessingError extends Error {}

/** Reads metadata and makes previews of uploaded files (before they enter the store). */
export interface MediaProcessor {
  inspect(file: string, kind: MediaKind): Promise<MediaInfo>;
}

export interface MediaToolOptions {
  ffprobe?: string;
  ffmpeg?: string;
  pdftoppm?: string;
  /** Longest side of a preview, in pixels. */
  previewSize?: number;
  /** A tool that runs longer than this is killed and the file refused (a crafted file must not hang an upload). */
  timeoutMs?: number;
}

// libvips keeps recently opened files open by default; uploads are opened once from a temp file that is then
// renamed or removed, so an open handle would only pin the disk space of a refused file.
sharp.cache({ files: 0 });

const FfprobeOutput = z.object({
  streams: z
    .array(
      z.object({
        codec_type: z.string().optional(),
        codec_name: z.string().optional(),
        width: z.number().int().positive().optional(),
        height: z.number().int().positive().optional(),
        duration: z.string().optional(),
      }),
    )
    .default([]),
  format: z.object({ duration: z.string().optional() }).default({}),
});

/**
 * Images with sharp (libvips, prebuilt from npm), video with ffprobe/ffmpeg and PDF first pages with pdftoppm
 * (Debian packages `ffmpeg` and `poppler-utils`, see scripts/setup-system.sh). Tools run as child processes with
 * argument arrays (no shell), a time limit and bounded output.
 */
export class LocalMediaProcessor implements MediaProcessor {
  private readonly tools: Required<MediaToolOptions>;

  constructor(options: MediaToolOptions = {}) {
    this.tools = {
      ffprobe: 'ffprobe',
      ffmpeg: 'ffmpeg',
      pdftoppm: 'pdftoppm',
      previewSize: 480,
      timeoutMs: 60_000,
      ...options,
    };
  }

  async inspect(file: string, kind: MediaKind): Promise<MediaInfo> {
    switch (kind) {
      case 'image':
        return this.image(file);
      case 'video':
        return this.video(file);
      case 'pdf':
        return this.pdf(file);
    }
  }

  private async image(file: string): Promise<MediaInfo> {
    try {
      // failOn 'error': a truncated or corrupt image is refused rather than stored half-decoded
      const metadata = await sharp(file, { failOn: 'error' }).metadata();
      const oriented = metadata.autoOrient ?? metadata;
      return {
        width: oriented.width ?? null,
        height: oriented.height ?? null,
        durationMs: null,
        codec: null,
        preview: await this.thumbnail(file),
      };
    } catch (error) {
      throw new MediaProcessingError(`the image cannot be decoded: ${(error as Error).message}`);
    }
  }

  private async video(file: string): Promise<MediaInfo> {
    let probe: z.infer<typeof FfprobeOutput>;
    try {
      const out = await this.run(this.tools.ffprobe, [
        '-v',
        'error',
        '-print_format',
        'json',
        '-show_format',
        '-show_streams',
        file,
      ]);
      probe = FfprobeOutput.parse(JSON.parse(out.toString('utf8')));
    } catch (error) {
      throw new MediaProcessingError(`the video cannot be read: ${firstLine(error)}`);
    }
    const stream = probe.streams.find((s) => s.codec_type === 'video' && s.width && s.height);
    if (!stream) throw new MediaProcessingError('the file has no video stream');
    const seconds = Number(stream.duration ?? probe.format.duration);
    const durationMs = Number.isFinite(seconds) && seconds >= 0 ? Math.round(seconds * 1000) : null;
    // a frame a little way in: the first frame is often black (fade-in)
    const at = durationMs ? Math.min(1, durationMs / 2000) : 0;
    const frame = await this.posterFrame(file, at);
    if (!frame) throw new MediaProcessingError('no frame of the video can be decoded');
    return {
      width: stream.width ?? null,
      height: stream.height ?? null,
      durationMs,
      codec: stream.codec_name ?? null,
      preview: await this.thumbnail(frame),
    };
  }

  private async posterFrame(file: string, atSeconds: number): Promise<Buffer | null> {
    for (const at of atSeconds > 0 ? [atSeconds, 0] : [0]) {
      try {
        const png = await this.run(this.tools.ffmpeg, [
          '-v',
          'error',
          '-ss',
          String(at),
          '-i',
          file,
          '-frames:v',
          '1',
          '-f',
          'image2pipe',
          '-c:v',
          'png',
          'pipe:1',
        ]);
        if (png.length > 0) return png;
      } catch {
        // try the next position; the caller reports a video without any decodable frame
      }
    }
    return null;
  }

  private async pdf(file: string): Promise<MediaInfo> {
    let png: Buffer;
    try {
      png = await this.run(this.tools.pdftoppm, [
        '-f',
        '1',
        '-l',
        '1',
        '-singlefile',
        '-png',
        '-scale-to',
        String(this.tools.previewSize * 2),
        file,
      ]);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
        // without poppler-utils a PDF is still accepted, only without a thumbnail
        return { width: null, height: null, durationMs: null, codec: null, preview: null };
      }
      throw new MediaProcessingError(`the PDF cannot be read: ${firstLine(error)}`);
    }
    if (png.length === 0) throw new MediaProcessingError('the PDF has no page that can be drawn');
    return { width: null, height: null, durationMs: null, codec: null, preview: await this.thumbnail(png) };
  }

  private async thumbnail(input: string | Buffer): Promise<Buffer> {
    return sharp(input, { failOn: 'error' })
      .rotate()
      .resize(this.tools.previewSize, this.tools.previewSize, { fit: 'inside', withoutEnlargement: true })
      .webp({ quality: 78 })
      .toBuffer();
  }

  private run(command: string, args: string[]): Promise<Buffer> {
    return new Promise((resolve, reject) => {
      execFile(
        command,
        args,
        { encoding: 'buffer', timeout: this.tools.timeoutMs, maxBuffer: 64 * 1024 * 1024 },
        (error, stdout, stderr) => {
          if (error) {
            const code = (error as NodeJS.ErrnoException).code;
            const wrapped = new Error(
              stderr.toString('utf8').trim() || error.message,
            ) as NodeJS.ErrnoException;
            if (typeof code === 'string') wrapped.code = code;
            reject(wrapped);
          } else resolve(stdout);
        },
      );
    });
  }
}

const firstLine = (error: unknown) =>
  String((error as Error).message ?? error)
    .split('\n')[0]!
    .slice(0, 200);
