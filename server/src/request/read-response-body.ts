/**
 * Response bodies are read as a stream and counted as they arrive, so a hostile or broken upstream cannot
 * make us buffer more than `maxBytes`: the socket is destroyed as soon as the limit is crossed, and a
 * Content-Length above the limit is refused before reading a byte.
 */

/** Kept for logs when the body is not what it claims to be (invalid JSON). */
export const LOGGED_BODY_LIMIT = 4096;

interface ReadableBody extends AsyncIterable<Uint8Array> {
  destroy(error?: Error): unknown;
}

export type BodyRead = { ok: true; bytes: Buffer } | { ok: false; receivedBytes: number };

export function exceedsDeclaredLength(
  contentLength: string | undefined,
  maxBytes: number,
): boolean {
  if (contentLength === undefined || !/^\d+$/.test(contentLength.trim())) return false;
  return Number(contentLength) > maxBytes;
}

/** Reads the whole body, or stops and destroys the stream once more than `maxBytes` arrived. */
export async function readBodyWithLimit(body: ReadableBody, maxBytes: number): Promise<BodyRead> {
  const chunks: Uint8Array[] = [];
  let received = 0;
  for await (const chunk of body) {
    received += chunk.byteLength;
    if (received > maxBytes) {
      body.destroy();
      return { ok: false, receivedBytes: received };
    }
    chunks.push(chunk);
  }
  return { ok: true, bytes: Buffer.concat(chunks) };
}

export interface DecodedBody {
  bodyText: string;
  json: unknown | undefined;
}

/**
 * Text is decoded as UTF-8 (JSON must be UTF-8 per RFC 8259). JSON is parsed only when the media type says
 * so (`application/json` or any `+json` suffix); invalid JSON gives `json: undefined` and a truncated text.
 */
export function decodeBody(bytes: Buffer, contentType: string | null): DecodedBody {
  const bodyText = new TextDecoder('utf-8').decode(bytes);
  if (!isJsonMediaType(contentType) || bodyText.trim() === '') {
    return { bodyText, json: undefined };
  }
  try {
    return { bodyText, json: JSON.parse(bodyText) as unknown };
  } catch {
    return { bodyText: bodyText.slice(0, LOGGED_BODY_LIMIT), json: undefined };
  }
}

export function isJsonMediaType(contentType: string | null): boolean {
  if (contentType === null) return false;
  const essence = contentType.split(';')[0]?.trim().toLowerCase() ?? '';
  const subtype = essence.split('/')[1] ?? '';
  return subtype === 'json' || subtype.endsWith('+json');
}
