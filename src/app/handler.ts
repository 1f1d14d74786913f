/**
 * One wrapper around every webhook handler: a structured log line per event
 * (repo, event, delivery id, duration, outcome), errors caught and logged
 * without secrets, and events the app caused itself dropped. A handler that
 * throws never takes the process (or other handlers) down with it.
 */
import type { Context } from 'probot';
import { redactSecrets } from '../security/redact-secrets.ts';

/** What a handler may say about the event it handled, for the log line. */
export type HandlerResult = void | { outcome: string; [field: string]: unknown };

export type EventHandler = (context: Context) => Promise<HandlerResult>;

export interface WrapOptions {
  now?: () => number;
  /** The app's bot login (`<slug>[bot]`), resolved lazily; events it sent are ignored. */
  botLogin?: () => Promise<string | undefined>;
}

export function wrapHandler(name: string, handler: EventHandler, options: WrapOptions = {}): (context: Context) => Promise<void> {
  const now = options.now ?? Date.now;
  return async (context) => {
    const started = now();
    const payload = context.payload as {
      action?: string;
      repository?: { full_name?: string };
      installation?: { id?: number };
      sender?: { login?: string; type?: string };
    };
    const fields = {
      handler: name,
      event: payload.action ? `${context.name}.${payload.action}` : context.name,
      delivery: context.id,
      repo: payload.repository?.full_name,
      installation: payload.installation?.id,
    };
    const log = context.log.child(fields);
    context.log = log;
    try {
      if (await isOwnEvent(payload.sender, options.botLogin)) {
        log.info({ durationMs: now() - started, outcome: 'ignored-own-event' }, `${name}: event caused by this app, ignored`);
        return;
      }
      const result = await handler(context);
      log.info({ durationMs: now() - started, ...(result ?? { outcome: 'done' }) }, `${name}: done`);
    } catch (error) {
      log.error({ durationMs: now() - started, outcome: 'error', error: describeError(error) }, `${name}: failed`);
    }
  };
}

async function isOwnEvent(
  sender: { login?: string; type?: string } | undefined,
  botLogin: WrapOptions['botLogin'],
): Promise<boolean> {
  if (sender?.type !== 'Bot' || !sender.login || !botLogin) return false;
  try {
    return sender.login === (await botLogin());
  } catch {
    return false;
  }
}

/** Name, status and a redacted message: what an operator needs, no credentials. */
export function describeError(error: unknown): { name: string; message: string; status?: number } {
  if (!(error instanceof Error)) return { name: 'Error', message: redactSecrets(String(error)) };
  const status = (error as { status?: unknown }).status;
  return {
    name: error.name,
    message: redactSecrets(error.message),
    ...(typeof status === 'number' ? { status } : {}),
  };
}
