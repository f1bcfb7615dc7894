import type { Response } from 'express';

/**
 * A 200 JSON answer to a POST, written without `res.json`. Express hashes every body it sends
 * (SHA-1, for an ETag) so that a repeated GET can be answered 304, and parses and formats the
 * content type again; a POST is never answered 304, so for each run that was work for nothing.
 * The headers are the ones `res.json` sends, less the ETag.
 */
export function sendJsonAnswer(res: Response, body: object): void {
  const text = JSON.stringify(body);
  res.statusCode = 200;
  res.setHeader('Content-Type', 'application/json; charset=utf-8');
  res.setHeader('Content-Length', Buffer.byteLength(text));
  res.end(text);
}
