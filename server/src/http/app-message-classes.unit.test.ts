import { createServer, IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import { request } from 'undici';
import { afterEach, describe, expect, it } from 'vitest';
import { createAppMessageClasses } from './app-message-classes';

let close: (() => Promise<void>) | undefined;
afterEach(async () => {
  await close?.();
  close = undefined;
});

describe('createAppMessageClasses', () => {
  it("makes requests and responses with Node's prototypes, then with the app's once adopted", async () => {
    const classes = createAppMessageClasses();
    const server = createServer({
      IncomingMessage: classes.IncomingMessage,
      ServerResponse: classes.ServerResponse,
    });
    const app = express();
    app.use(express.json());
    app.post('/echo', (req, res) => {
      res.status(201).json({ got: req.body as unknown, agent: req.get('user-agent') });
    });
    const born: string[] = [];
    server.on('request', (req: IncomingMessage, res: ServerResponse) => {
      // Listened to before the app, which would set the prototypes itself.
      const own =
        Object.getPrototypeOf(req) === app.request && Object.getPrototypeOf(res) === app.response;
      // Node's own: its classes, without Express's methods.
      const node =
        req instanceof IncomingMessage &&
        res instanceof ServerResponse &&
        !('json' in res) &&
        !('get' in req);
      born.push(own ? 'app' : node ? 'node' : 'other');
    });
    server.on('request', app);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    close = () => new Promise((resolve) => server.close(() => resolve()));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/echo`;
    const post = async () => {
      const res = await request(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'user-agent': 'test' },
        body: JSON.stringify({ a: 1 }),
      });
      return { status: res.statusCode, body: (await res.body.json()) as unknown };
    };

    expect(await post()).toEqual({ status: 201, body: { got: { a: 1 }, agent: 'test' } });
    classes.adopt(app);
    expect(await post()).toEqual({ status: 201, body: { got: { a: 1 }, agent: 'test' } });
    expect(born).toEqual(['node', 'app']);
  });
});
