export type { DemoTurn } from './demo/moodbot-script';
export { moodbotScript } from './demo/moodbot-script';
export type { DemoOptions, DemoResult } from './demo/run-demo';
export { runDemo } from './demo/run-demo';
export type { TranscriptOptions } from './sinks/transcript';
export { formatTranscriptLine } from './sinks/transcript';
