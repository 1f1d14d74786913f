/**
 * `npm start`: serves the app with Probot's standard environment variables
 * (APP_ID, PRIVATE_KEY or PRIVATE_KEY_PATH, WEBHOOK_SECRET, PORT, HOST,
 * LOG_LEVEL, GHE_HOST + GHE_PROTOCOL, WEBHOOK_PROXY_URL), webhooks at
 * /api/github/webhooks. Shutdown (SIGINT/SIGTERM) clears scheduled resumes
 * before the server stops.
 */
import { run, type Server } from 'probot';
import { createThreatloopApp, type ThreatloopApp } from './index.ts';

export async function startServer(env: NodeJS.ProcessEnv = process.env): Promise<{ server: Server; app: ThreatloopApp }> {
  const app = createThreatloopApp({ env });
  const server = await run(app.app, { env });
  return { server, app };
}

if (import.meta.main) {
  const { server, app } = await startServer();
  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    app.stop();
    try {
      await server.stop();
    } finally {
      process.stdout.write(`threatloop: stopped on ${signal}\n`);
      process.exit(0);
    }
  };
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
  process.on('SIGINT', () => void shutdown('SIGINT'));
}
