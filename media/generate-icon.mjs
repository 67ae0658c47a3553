// Draws media/icon.png (128×128), the Marketplace icon: three sockets patched
// into one switchboard, the same picture as the activity-bar SVG. Plain Node,
// no image libraries: shapes are distance functions, sampled 4×4 per pixel.
// Run: node media/generate-icon.mjs
import { writeFileSync } from 'node:fs';
import { deflateSync } from 'node:zlib';

const SIZE = 128;
const SAMPLES = 4;

const segmentDistance = (px, py, [ax, ay], [bx, by]) => {
  const dx = bx - ax, dy = by - ay;
  const t = Math.max(0, Math.min(1, ((px - ax) * dx + (py - ay) * dy) / (dx * dx + dy * dy)));
  return Math.hypot(px - ax - t * dx, py - ay - t * dy);
};
const bezier = (p0, p1, p2, p3, steps = 24) =>
  Array.from({ length: steps + 1 }, (_, i) => {
    const t = i / steps, u = 1 - t;
    return [0, 1].map((k) => u ** 3 * p0[k] + 3 * u * u * t * p1[k] + 3 * u * t * t * p2[k] + t ** 3 * p3[k]);
  });
const polylineDistance = (px, py, points) =>
  points.slice(1).reduce((best, point, i) => Math.min(best, segmentDistance(px, py, points[i], point)), Infinity);
const roundedBoxDistance = (px, py, cx, cy, hw, hh, r) => {
  const qx = Math.abs(px - cx) - hw + r, qy = Math.abs(py - cy) - hh + r;
  return Math.hypot(Math.max(qx, 0), Math.max(qy, 0)) + Math.min(Math.max(qx, qy), 0) - r;
};

const sockets = [30, 64, 98];
const hub = { x: 96, y: 64 };
const cables = [
  bezier([38, 30], [62, 30], [62, 56], [hub.x - 14, 56]),
  [[38, 64], [hub.x - 14, 64]],
  bezier([38, 98], [62, 98], [62, 72], [hub.x - 14, 72]),
];

/** Colour at a point, as [r, g, b, a] in 0..1, painted back to front. */
function paint(x, y) {
  let color = [0, 0, 0, 0];
  const over = (rgb, alpha) => {
    const a = alpha + color[3] * (1 - alpha);
    if (a === 0) return;
    color = [0, 1, 2].map((k) => (rgb[k] * alpha + color[k] * color[3] * (1 - alpha)) / a).concat(a);
  };
  // Background: a rounded square, deep blue to teal.
  if (roundedBoxDistance(x, y, 64, 64, 62, 62, 24) <= 0) {
    const t = y / SIZE;
    over([0.06 + 0.02 * t, 0.20 + 0.25 * t, 0.42 + 0.1 * t], 1);
  }
  const cable = [0.98, 0.76, 0.25];
  for (const points of cables) if (polylineDistance(x, y, points) <= 3.5) over(cable, 1);
  for (const cy of sockets) {
    const d = Math.hypot(x - 26, y - cy);
    if (d <= 11) over([0.93, 0.96, 1], 1);
    if (d <= 5) over([0.06, 0.22, 0.45], 1);
  }
  if (roundedBoxDistance(x, y, hub.x, hub.y, 14, 22, 5) <= 0) over([0.93, 0.96, 1], 1);
  for (const dy of [-10, 0, 10]) if (Math.hypot(x - hub.x, y - hub.y - dy) <= 3.2) over([0.25, 0.8, 0.45], 1);
  return color;
}

const raw = Buffer.alloc(SIZE * (SIZE * 4 + 1));
for (let y = 0; y < SIZE; y++) {
  raw[y * (SIZE * 4 + 1)] = 0; // filter: none
  for (let x = 0; x < SIZE; x++) {
    const sum = [0, 0, 0, 0];
    for (let sy = 0; sy < SAMPLES; sy++) {
      for (let sx = 0; sx < SAMPLES; sx++) {
        const [r, g, b, a] = paint(x + (sx + 0.5) / SAMPLES, y + (sy + 0.5) / SAMPLES);
        sum[0] += r * a; sum[1] += g * a; sum[2] += b * a; sum[3] += a;
      }
    }
    const alpha = sum[3] / SAMPLES ** 2;
    const offset = y * (SIZE * 4 + 1) + 1 + x * 4;
    for (let k = 0; k < 3; k++) raw[offset + k] = alpha === 0 ? 0 : Math.round((sum[k] / sum[3]) * 255);
    raw[offset + 3] = Math.round(alpha * 255);
  }
}

const crcTable = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});
const crc32 = (buffer) => {
  let c = 0xffffffff;
  for (const byte of buffer) c = crcTable[(c ^ byte) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
};
const chunk = (type, data) => {
  const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
  const length = Buffer.alloc(4);
  length.writeUInt32BE(data.length);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body));
  return Buffer.concat([length, body, crc]);
};
const header = Buffer.alloc(13);
header.writeUInt32BE(SIZE, 0);
header.writeUInt32BE(SIZE, 4);
header[8] = 8; // bit depth
header[9] = 6; // RGBA
const png = Buffer.concat([
  Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
  chunk('IHDR', header),
  chunk('IDAT', deflateSync(raw, { level: 9 })),
  chunk('IEND', Buffer.alloc(0)),
]);
writeFileSync(new URL('./icon.png', import.meta.url), png);
