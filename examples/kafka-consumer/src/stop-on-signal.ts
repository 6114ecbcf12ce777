/**
 * Aborts on Ctrl-C or SIGTERM (the Python `for message in consumer` loop runs until interrupted).
 * `on`, not `once`: run through `npm start`, the program gets Ctrl-C twice (from the terminal and
 * passed on by npm), and the second one must not kill it while it closes the connection.
 */
export function stopOnSignal(): AbortSignal {
  const controller = new AbortController();
  process.on('SIGINT', () => controller.abort());
  process.on('SIGTERM', () => controller.abort());
  return controller.signal;
}
