import { SingleBar } from 'cli-progress';

const CLEAR_LINE = '\r\u001b[2K';
// cli-progress turns the terminal's line wrapping off while the bar is drawn; a message wraps.
const WRAP_ON = '\u001b[?7h';
const WRAP_OFF = '\u001b[?7l';

/**
 * A progress bar on a terminal (stderr), and the stream the command's messages go through
 * while it is drawn: a message clears the bar's line, takes it, and the bar is drawn again on
 * the next one. Written straight to the terminal, a message (Ctrl-C's "stopping ...") landed in
 * the middle of the bar's line.
 */
export class ProgressBar {
  /** Where the command's log lines go: above the bar while it is drawn. */
  readonly messages: NodeJS.WritableStream;
  private readonly bar: SingleBar;
  private drawn = false;

  constructor(terminal: NodeJS.WriteStream, format: string) {
    // forceRedraw: drawn again after a message even when its value did not change.
    this.bar = new SingleBar({ stream: terminal, format, forceRedraw: true });
    const write = (text: string) => {
      if (!this.drawn) return terminal.write(text);
      terminal.write(`${CLEAR_LINE}${WRAP_ON}${text}${WRAP_OFF}`);
      this.bar.render();
      return true;
    };
    this.messages = { write } as unknown as NodeJS.WritableStream;
  }

  start(total: number): void {
    this.bar.start(total, 0);
    this.drawn = true;
  }

  update(value: number): void {
    if (this.drawn) this.bar.update(value);
  }

  /** Draws the bar a last time and leaves it; what is written next goes below it. Idempotent. */
  stop(): void {
    if (!this.drawn) return;
    this.drawn = false;
    this.bar.stop();
  }
}
