import { crc32, deflateSync } from 'node:zlib';

/**
 * Draws the app's PNG logos (Zendesk wants assets/logo.png 320x320 and logo-small.png 128x128)
 * from the same shapes as src/logo.svg, so the repository holds no binary files and no
 * rasteriser dependency is needed: a blue rounded square with two linked white dots.
 */

const BLUE = [0x1f, 0x73, 0xb7, 0xff];
const WHITE = [0xff, 0xff, 0xff, 0xff];
const CLEAR = [0, 0, 0, 0];

/** The colour at a point of the 64x64 design, for the pixel centre (x, y) in design units. */
function colourAt(x: number, y: number): number[] {
  const radius = 12;
  const cx = Math.min(Math.max(x, radius), 64 - radius);
  const cy = Math.min(Math.max(y, radius), 64 - radius);
  if ((x - cx) ** 2 + (y - cy) ** 2 > radius ** 2) return CLEAR;
  const inDot = (dx: number) => (x - dx) ** 2 + (y - 32) ** 2 <= 81;
  if (inDot(18) || inDot(46) || (x >= 18 && x <= 46 && y >= 29 && y <= 35)) return WHITE;
  return BLUE;
}

function chunk(type: string, data: Buffer): Buffer {
  const length = Buffer.alloc(4);
  length.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body));
  return Buffer.concat([length, body, crc]);
}

/** An RGBA PNG of the logo, `size` pixels square, 2x2 supersampled so edges are smooth. */
export function drawLogoPng(size: number): Buffer {
  const rows: Buffer[] = [];
  const scale = 64 / size;
  for (let py = 0; py < size; py++) {
    const row = Buffer.alloc(1 + size * 4); // filter byte 0 (none), then RGBA pixels
    for (let px = 0; px < size; px++) {
      const sum = [0, 0, 0, 0];
      for (const [ox, oy] of [
        [0.25, 0.25],
        [0.75, 0.25],
        [0.25, 0.75],
        [0.75, 0.75],
      ] as const) {
        const colour = colourAt((px + ox) * scale, (py + oy) * scale);
        for (let i = 0; i < 4; i++) sum[i] = (sum[i] as number) + (colour[i] as number);
      }
      for (let i = 0; i < 4; i++) row[1 + px * 4 + i] = Math.round((sum[i] as number) / 4);
    }
    rows.push(row);
  }
  const header = Buffer.alloc(13);
  header.writeUInt32BE(size, 0);
  header.writeUInt32BE(size, 4);
  header[8] = 8; // bit depth
  header[9] = 6; // colour type RGBA
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', header),
    chunk('IDAT', deflateSync(Buffer.concat(rows), { level: 9 })),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}
