// Runs Verdaccio from a config file on a free loopback port; prints {"port":N} once it listens.
// Started as its own process by local-registry.ts, which stops it with SIGTERM.
import { createRequire } from 'node:module';

const { runServer } = createRequire(import.meta.url)('verdaccio');
const configPath = process.argv[2];
if (!configPath) {
  process.stderr.write('usage: node serve-verdaccio.mjs <config.yaml>\n');
  process.exit(2);
}

const server = await runServer(configPath);
server.listen(0, '127.0.0.1', () => {
  process.stdout.write(`${JSON.stringify({ port: server.address().port })}\n`);
});
for (const signal of ['SIGTERM', 'SIGINT']) {
  process.once(signal, () => {
    server.close(() => process.exit(0));
    // Keep-alive sockets from npm/pnpm can hold close() open; the storage is thrown away anyway.
    setTimeout(() => process.exit(0), 2_000).unref();
  });
}
