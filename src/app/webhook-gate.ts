/**
 * The webhook path's front door, before Probot sees a request: the body is
 * read with a size limit (a larger Content-Length is refused before one byte
 * is read, a chunked body is cut off at the limit), then the signature is
 * checked here. Probot would buffer any body whole, and on a bad signature
 * it logs the error with the whole payload attached, twice (the webhooks
 * error handler and the middleware both log the error's `event`): an
 * unsigned 20 MB POST became 63 MB of log. Requests refused here are logged
 * as one line with the delivery id and the event name only.
 *
 * A request that passes carries its body as `req.body` (a string), which
 * @octokit/webhooks' middleware takes instead of reading the stream again;
 * Probot then verifies the signature once more, which costs one HMAC.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';

/** Probot's (and @octokit/webhooks') default webhook path. */
export const DEFAULT_WEBHOOK_PATH = '/api/github/webhooks';

export interface GateLog {
  warn(fields: Record<string, unknown>, message: string): void;
}

export interface WebhookGateOptions {
  /** Probot's webhook path, `/api/github/webhooks` by default. */
  path: string;
  secret: string;
  maxBytes: number;
  log: GateLog;
}

/** `pass`: hand the request on (Probot answers it); `answered`: the gate has answered. */
export type GateOutcome = 'pass' | 'answered';

export function createWebhookGate(options: WebhookGateOptions): (req: IncomingMessage, res: ServerResponse) => Promise<GateOutcome> {
  const path = webhookPathname(options.path);
  const secret = Buffer.from(options.secret, 'utf8');
  return async (req, res) => {
    // Any method: @octokit/webhooks answers other methods 404 without reading the body.
    if (req.method !== 'POST' || webhookPathname(req.url) !== path) return 'pass';
    const who = { delivery: header(req, 'x-github-delivery'), event: header(req, 'x-github-event') };

    const declared = header(req, 'content-length');
    if (declared !== undefined && Number(declared) > options.maxBytes) {
      options.log.warn({ ...who, contentLength: Number(declared), limit: options.maxBytes }, 'webhook refused: body larger than WEBHOOK_MAX_BYTES');
      refuseTooLarge(req, res, options.maxBytes);
      return 'answered';
    }
    const body = await readLimited(req, options.maxBytes);
    if (body === 'too-large') {
      options.log.warn({ ...who, limit: options.maxBytes }, 'webhook refused: body larger than WEBHOOK_MAX_BYTES');
      refuseTooLarge(req, res, options.maxBytes);
      return 'answered';
    }
    if (body === 'aborted') return 'answered';

    const signature = header(req, 'x-hub-signature-256');
    // Missing headers and wrong content types are Probot's to answer (400, 415): nothing is believed yet.
    if (signature !== undefined && !signatureMatches(secret, body, signature)) {
      options.log.warn({ ...who, bytes: body.length }, 'webhook refused: signature does not match (check WEBHOOK_SECRET against the GitHub App settings)');
      answerJson(res, 400, { error: 'signature does not match event payload and secret' });
      return 'answered';
    }
    (req as IncomingMessage & { body?: string }).body = body.toString('utf8');
    return 'pass';
  };
}

function signatureMatches(secret: Buffer, body: Buffer, signature: string): boolean {
  const expected = Buffer.from(`sha256=${createHmac('sha256', secret).update(body).digest('hex')}`, 'utf8');
  const given = Buffer.from(signature, 'utf8');
  return given.length === expected.length && timingSafeEqual(given, expected);
}

/** The body, or `too-large` as soon as it passes `maxBytes` (nothing more is kept). */
function readLimited(req: IncomingMessage, maxBytes: number): Promise<Buffer | 'too-large' | 'aborted'> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const finish = (result: Buffer | 'too-large' | 'aborted') => {
      req.off('data', onData);
      req.off('end', onEnd);
      req.off('error', onError);
      req.off('aborted', onError);
      req.off('close', onClose);
      resolve(result);
    };
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > maxBytes) {
        chunks.length = 0;
        req.pause();
        finish('too-large');
      } else chunks.push(chunk);
    };
    const onEnd = () => finish(Buffer.concat(chunks, size));
    const onError = () => finish('aborted');
    // A client that goes away mid-body may close without 'end' or 'error'.
    const onClose = () => {
      if (!req.complete) onError();
    };
    req.on('data', onData);
    req.on('end', onEnd);
    req.on('error', onError);
    req.on('aborted', onError);
    req.on('close', onClose);
  });
}

/** 413, then the connection is closed: the rest of the body is never read. */
function refuseTooLarge(req: IncomingMessage, res: ServerResponse, maxBytes: number): void {
  res.shouldKeepAlive = false;
  answerJson(res, 413, { error: `payload larger than ${maxBytes} bytes` }, { connection: 'close' });
  res.once('finish', () => {
    if (!req.complete) req.socket.destroy();
  });
}

function answerJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': 'application/json', ...headers }).end(`${JSON.stringify(body)}\n`);
}

function header(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

/** The path as @octokit/webhooks compares it (URL-resolved, so `/a/../api/github/webhooks` is the webhook path too). */
function webhookPathname(url: string | undefined): string | undefined {
  try {
    return trimTrailingSlashes(new URL(trimTrailingSlashes(url ?? '/'), 'http://localhost').pathname);
  } catch {
    return undefined;
  }
}

function trimTrailingSlashes(path: string): string {
  const trimmed = path.replace(/\/+$/, '');
  return trimmed === '' ? '/' : trimmed;
}
