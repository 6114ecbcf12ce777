/** Aborts on Ctrl-C or SIGTERM (the Python `for message in consumer` loop runs until interrupted). */
export function stopOnSignal(): AbortSignal {
  const controller = new AbortController();
  process.once('SIGINT', () => controller.abort());
  process.once('SIGTERM', () => controller.abort());
  return controller.signal;
}
