/**
 * Runs every side once per pair, alternating which goes first (A B, then B A, ...), so a
 * machine that slowly gets busier or a broker that warms up does not favour one side.
 * Resolves with each side's runs in pair order.
 */
export async function runAlternatingPairs<M, S extends string = string>(options: {
  sides: readonly S[];
  pairs: number;
  run(side: S, pair: number): Promise<M>;
  onRun?(side: S, pair: number, measurement: M): void;
}): Promise<Map<S, M[]>> {
  const runs = new Map<S, M[]>(options.sides.map((side) => [side, []]));
  for (let pair = 0; pair < options.pairs; pair++) {
    for (const side of pairOrder(options.sides, pair)) {
      const measurement = await options.run(side, pair);
      runs.get(side)!.push(measurement);
      options.onRun?.(side, pair, measurement);
    }
  }
  return runs;
}

/** The order of the sides in pair `pair`: as given in even pairs, reversed in odd ones. */
export function pairOrder<S>(sides: readonly S[], pair: number): S[] {
  return pair % 2 === 0 ? [...sides] : [...sides].reverse();
}
