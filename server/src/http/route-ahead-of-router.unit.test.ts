import express from 'express';
import type { ErrorRequestHandler, RequestHandler } from 'express';
import request from 'supertest';
import { describe, expect, it, vi } from 'vitest';
import { routeAheadOfRouter } from './route-ahead-of-router';

const onError: ErrorRequestHandler = (error: unknown, _req, res, _next) => {
  res.status(500).json({ error: error instanceof Error ? error.message : String(error) });
};

/** An app with the same handlers on the router and ahead of it, as create-app.ts builds one. */
function buildApp(handlers: RequestHandler[]) {
  const app = express();
  app.use('/items', (_req, res) => res.status(418).json({ mounted: true }));
  app.post('/things/:thingId/go', express.json(), ...handlers);
  app.use(onError);
  routeAheadOfRouter(app, {
    method: 'POST',
    pattern: /^\/things\/([a-z]+)\/go$/,
    paramNames: ['thingId'],
    handlers: [express.json(), ...handlers],
    onError,
  });
  return app;
}

/** The app's router walks its layers in `handle` (not in Express's public types). */
function spyOnRouter(app: express.Express) {
  return vi.spyOn(app.router as unknown as { handle: () => void }, 'handle');
}

const answer: RequestHandler = (req, res) => {
  res.status(201).json({
    thingId: req.params.thingId,
    body: req.body as unknown,
    header: req.get('x-test') ?? null,
    path: req.path,
  });
};

describe('routeAheadOfRouter', () => {
  it('serves its exact path without the router, with params, body and Express helpers', async () => {
    const app = buildApp([answer]);
    const walked = spyOnRouter(app);

    const res = await request(app)
      .post('/things/abc/go')
      .set('x-test', 'yes')
      .send({ a: 1 })
      .expect(201);

    expect(res.body).toEqual({
      thingId: 'abc',
      body: { a: 1 },
      header: 'yes',
      path: '/things/abc/go',
    });
    expect(walked).not.toHaveBeenCalled();
  });

  it('leaves every other spelling of the path to the router, which answers the same', async () => {
    const app = buildApp([answer]);
    const walked = spyOnRouter(app);

    for (const path of [
      '/things/abc/go/',
      '/THINGS/abc/go',
      '/things/abc/go?x=1',
      '/things/a%62c/go',
    ]) {
      const res = await request(app).post(path).send({ a: 1 }).expect(201);
      expect(res.body).toMatchObject({ thingId: 'abc', body: { a: 1 } });
    }
    expect(walked).toHaveBeenCalledTimes(4);
    await request(app).get('/things/abc/go').expect(404);
  });

  it('sends a throw, a rejected promise and next(error) to its error handler', async () => {
    const thrown: RequestHandler = () => {
      throw new Error('thrown');
    };
    const rejected: RequestHandler = async () => {
      await Promise.resolve();
      throw new Error('rejected');
    };
    const passed: RequestHandler = (_req, _res, next) => next(new Error('passed'));
    const passedOn: RequestHandler = (_req, _res, next) => next();

    for (const [handler, message] of [
      [thrown, 'thrown'],
      [rejected, 'rejected'],
      [passed, 'passed'],
      [passedOn, 'POST /things/abc/go: no handler answered'],
    ] as const) {
      const res = await request(buildApp([handler]))
        .post('/things/abc/go')
        .send({})
        .expect(500);
      expect(res.body).toEqual({ error: message });
    }
  });

  it('answers a bad JSON body through its error handler, as the router would', async () => {
    const app = buildApp([answer]);
    const ahead = await request(app)
      .post('/things/abc/go')
      .set('content-type', 'application/json')
      .send('{"a":')
      .expect(500);
    const routed = await request(app)
      .post('/things/abc/go/')
      .set('content-type', 'application/json')
      .send('{"a":')
      .expect(500);
    expect(ahead.body).toEqual(routed.body);
  });
});
