/**
 * Raw artifacts as media: the content type of a file artifact by its name's extension (WAV
 * audio, PNG images) and single byte ranges (`Range: bytes=a-b`, `bytes=a-`, `bytes=-n`), which
 * browsers' audio elements ask for. Several ranges in one request or a malformed header get the
 * whole file (allowed by RFC 9110); a range starting past the end is refused with 416.
 */
import type { FastifyReply } from 'fastify';
import { HttpError } from './errors.js';

const BY_EXTENSION: Record<string, string> = {
  wav: 'audio/wav',
  png: 'image/png',
};

/** The media type of a file artifact named `name`, or undefined for unknown extensions. */
export function mediaType(name: string): string | undefined {
  const dot = name.lastIndexOf('.');
  return dot < 0 ? undefined : BY_EXTENSION[name.slice(dot + 1).toLowerCase()];
}

export interface ByteRange {
  start: number;
  /** Inclusive. */
  end: number;
}

/**
 * The one byte range a Range header asks for within `size` bytes; null: send the whole file;
 * 'unsatisfiable': it starts past the end.
 */
export function byteRange(header: string | undefined, size: number): ByteRange | null | 'unsatisfiable' {
  if (typeof header !== 'string') return null;
  const m = /^\s*bytes\s*=\s*(\d*)\s*-\s*(\d*)\s*$/i.exec(header);
  if (!m || (m[1] === '' && m[2] === '')) return null;
  let start: number;
  let end: number;
  if (m[1] === '') {
    // the last n bytes
    const n = Number(m[2]);
    if (n === 0) return 'unsatisfiable';
    start = Math.max(0, size - n);
    end = size - 1;
  } else {
    start = Number(m[1]);
    end = m[2] === '' ? size - 1 : Math.min(Number(m[2]), size - 1);
    if (m[2] !== '' && Number(m[2]) < start) return null;
  }
  if (!Number.isSafeInteger(start) || start >= size) return 'unsatisfiable';
  return { start, end };
}

/**
 * Sets the status and headers of a range answer (206 with Content-Range) or of the whole file and
 * returns the range to send; throws the 416 error (with `Content-Range: bytes *\/size`) for an
 * unsatisfiable range.
 */
export function rangeHeaders(reply: FastifyReply, range: ByteRange | null | 'unsatisfiable', size: number, name: string): ByteRange | null {
  void reply.header('accept-ranges', 'bytes');
  if (range === 'unsatisfiable') {
    void reply.header('content-range', `bytes */${size}`);
    throw new HttpError(416, 'range_not_satisfiable', `the Range header asks for bytes outside artifact '${name}' (${size} bytes)`);
  }
  if (!range) {
    void reply.header('content-length', size);
    return null;
  }
  void reply
    .code(206)
    .header('content-range', `bytes ${range.start}-${range.end}/${size}`)
    .header('content-length', range.end - range.start + 1);
  return range;
}
