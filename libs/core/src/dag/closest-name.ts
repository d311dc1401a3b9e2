const MAX_DISTANCE = 2;
const MIN_PREFIX = 3;

/**
 * The candidate a user most likely meant, for "did you mean" hints: within
 * edit distance 2 (but not a total rewrite of a very short name), or one name a
 * prefix of the other. Ties go to the earlier candidate, so hints are stable.
 */
export function closestName(name: string, candidates: Iterable<string>): string | undefined {
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const candidate of candidates) {
    if (candidate === name) continue;
    const distance = editDistance(name.toLowerCase(), candidate.toLowerCase(), MAX_DISTANCE);
    const close = distance <= MAX_DISTANCE && distance < Math.max(name.length, candidate.length);
    const prefix = Math.min(name.length, candidate.length) >= MIN_PREFIX && (candidate.startsWith(name) || name.startsWith(candidate));
    if (!close && !prefix) continue;
    const score = close ? distance : MAX_DISTANCE + 1;
    if (score < bestDistance) {
      best = candidate;
      bestDistance = score;
    }
  }
  return best;
}

/** Levenshtein distance, giving up (returning limit + 1) once it must exceed `limit`. */
export function editDistance(a: string, b: string, limit = Infinity): number {
  if (Math.abs(a.length - b.length) > limit) return limit + 1;
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    let rowMin = i;
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      const value = Math.min(previous[j]! + 1, current[j - 1]! + 1, previous[j - 1]! + cost);
      current.push(value);
      rowMin = Math.min(rowMin, value);
    }
    if (rowMin > limit) return limit + 1;
    previous = current;
  }
  return previous[b.length]!;
}
