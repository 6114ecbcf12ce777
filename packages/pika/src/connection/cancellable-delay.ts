/** A sleep that `cancel()` ends early (resolving), so a closing broker or source never waits out a backoff. */
export class CancellableDelay {
  private timer: NodeJS.Timeout | undefined;
  private wake: (() => void) | undefined;

  wait(ms: number): Promise<void> {
    this.cancel();
    return new Promise((resolve) => {
      this.wake = resolve;
      this.timer = setTimeout(() => this.cancel(), ms);
    });
  }

  cancel(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    const wake = this.wake;
    this.wake = undefined;
    wake?.();
  }
}
