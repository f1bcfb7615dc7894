import express from 'express';
import request from 'supertest';
import { describe, expect, it } from 'vitest';
import { sendJsonAnswer } from './send-json-answer';

describe('sendJsonAnswer', () => {
  const app = express();
  app.post('/answer', (_req, res) => sendJsonAnswer(res, { message: 'Zoë’s order ✓', n: 1 }));
  app.post('/json', (_req, res) => res.json({ message: 'Zoë’s order ✓', n: 1 }));

  it('sends what res.json sends, less the ETag, with the length in bytes', async () => {
    const [ours, viaJson] = await Promise.all([
      request(app).post('/answer'),
      request(app).post('/json'),
    ]);
    expect(ours.status).toBe(200);
    expect(ours.text).toBe(viaJson.text);
    expect(ours.headers['content-type']).toBe(viaJson.headers['content-type']);
    expect(ours.headers['content-length']).toBe(String(Buffer.byteLength(ours.text)));
    expect(ours.headers['content-length']).toBe(viaJson.headers['content-length']);
    expect(viaJson.headers.etag).toBeDefined();
    expect(ours.headers.etag).toBeUndefined();
    expect(ours.body).toEqual({ message: 'Zoë’s order ✓', n: 1 });
  });
});
