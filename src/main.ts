import { ConfigError, loadConfig } from './config/load-config.ts';
import { startGatehouse } from './gatehouse.ts';
import { AppError } from './shared/app-error.ts';
import { createLogger } from './shared/logger.ts';

/** Composition root for `npm start`: configuration, the server, and signal handling. */
async function main(): Promise<void> {
  let config: ReturnType<typeof loadConfig>;
  try {
    config = loadConfig();
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    process.stderr.write(`${error.message}\n`);
    process.exit(1);
  }
  const logger = createLogger(config.logLevel);
  if (config.generatedSecrets) {
    logger.warn(
      { file: `${config.dataDir}/secrets.json` },
      'using generated development secrets; set COOKIE_KEYS and HASH_SECRET in production',
    );
  }
  let gatehouse: Awaited<ReturnType<typeof startGatehouse>>;
  try {
    gatehouse = await startGatehouse(config, logger);
  } catch (error) {
    if (error instanceof AppError && error.expose) {
      logger.fatal({ code: error.code }, error.message);
      process.stderr.write(`gatehouse: ${error.message}\n`);
    } else {
      logger.fatal({ err: error }, 'start-up failed');
    }
    process.exit(1);
  }
  if (gatehouse.setupLink) {
    // On the terminal, not in the JSON log: log pipelines keep lines, and this link makes an admin.
    process.stderr.write(
      `\nNo admin exists yet. Open this one-time link to create the first admin (valid 24 hours):\n\n  ${gatehouse.setupLink}\n\nOr run: npx gatehouse admin create --email you@example.com --password '...'\n\n`,
    );
  }
  const shutdown = (signal: string) => {
    logger.info({ signal }, 'shutting down');
    gatehouse.stop().then(
      () => process.exit(0),
      (error: unknown) => {
        logger.error({ err: error }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.once('SIGTERM', () => shutdown('SIGTERM'));
  process.once('SIGINT', () => shutdown('SIGINT'));
}

await main();
