// A small deterministic Nelder–Mead minimiser. The forecast fits run once per
// backtest month and per wallet, so it works to a fixed evaluation budget
// rather than to a tight tolerance: a few hundred evaluations at most.

export interface Minimum {
  x: number[];
  value: number;
  evaluations: number;
}

export interface NelderMeadOptions {
  /** Initial simplex edge along each coordinate. */
  step?: number;
  maxEvaluations?: number;
  /** Stop once the simplex's values differ by less than this. */
  tolerance?: number;
}

/**
 * Minimises `f` from `start` (unconstrained: callers map bounded parameters
 * onto the real line). Non-finite values count as +Infinity, so a bad region
 * is simply avoided. Standard coefficients (reflect 1, expand 2, contract ½,
 * shrink ½); no randomness, so the same input always gives the same answer.
 */
export function nelderMead(f: (x: readonly number[]) => number, start: readonly number[], options: NelderMeadOptions = {}): Minimum {
  const step = options.step ?? 1;
  const maxEvaluations = options.maxEvaluations ?? 200;
  const tolerance = options.tolerance ?? 1e-10;
  const d = start.length;
  let evaluations = 0;
  const value = (x: readonly number[]): number => {
    evaluations += 1;
    const v = f(x);
    return Number.isFinite(v) ? v : Infinity;
  };
  if (d === 0) return { x: [], value: value([]), evaluations };

  const points: number[][] = [start.slice()];
  for (let i = 0; i < d; i++) {
    const p = start.slice();
    p[i] = (p[i] ?? 0) + step;
    points.push(p);
  }
  const values = points.map(value);
  const order = (): void => {
    const idx = points.map((_, i) => i).sort((a, b) => (values[a] ?? Infinity) - (values[b] ?? Infinity) || a - b);
    const p = idx.map((i) => points[i] as number[]);
    const v = idx.map((i) => values[i] as number);
    for (let i = 0; i <= d; i++) {
      points[i] = p[i] as number[];
      values[i] = v[i] as number;
    }
  };
  const along = (from: readonly number[], to: readonly number[], t: number): number[] => from.map((a, i) => a + t * ((to[i] ?? 0) - a));

  order();
  while (evaluations < maxEvaluations) {
    const best = values[0] as number;
    const worst = values[d] as number;
    if (Number.isFinite(worst) && Math.abs(worst - best) <= tolerance * (Math.abs(best) + tolerance)) break;
    // Centroid of every point but the worst.
    const centroid = new Array<number>(d).fill(0);
    for (let i = 0; i < d; i++) for (let j = 0; j < d; j++) centroid[j] = (centroid[j] ?? 0) + (points[i]?.[j] ?? 0) / d;
    const worstPoint = points[d] as number[];
    const reflected = along(centroid, worstPoint, -1);
    const fr = value(reflected);
    const secondWorst = values[d - 1] as number;
    if (fr < best) {
      const expanded = along(centroid, worstPoint, -2);
      const fe = value(expanded);
      if (fe < fr) {
        points[d] = expanded;
        values[d] = fe;
      } else {
        points[d] = reflected;
        values[d] = fr;
      }
    } else if (fr < secondWorst) {
      points[d] = reflected;
      values[d] = fr;
    } else {
      // Contract towards the better of the worst point and its reflection.
      const outside = fr < worst;
      const contracted = along(centroid, outside ? reflected : worstPoint, 0.5);
      const fc = value(contracted);
      if (fc < (outside ? fr : worst)) {
        points[d] = contracted;
        values[d] = fc;
      } else {
        const anchor = points[0] as number[];
        for (let i = 1; i <= d; i++) {
          points[i] = along(anchor, points[i] as number[], 0.5);
          values[i] = value(points[i] as number[]);
        }
      }
    }
    order();
  }
  return { x: (points[0] as number[]).slice(), value: values[0] as number, evaluations };
}
