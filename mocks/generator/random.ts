/**
 * Seeded pseudo-random numbers. Math.random is never used: the same seed must give the same
 * data on every machine, so every stream is an sfc32 generator keyed by integers.
 */

const SEED = 0x9e3779b9;

/** Mixes integers into one well-distributed 32-bit value (murmur3 steps and finaliser). */
export function hash32(...values: number[]): number {
  let h = SEED;
  for (const value of values) h = mixStep(h, value);
  return finalize(h);
}

/** hash32 of four values without the rest-parameter array: the hot path of Scrambler. */
function hash4(a: number, b: number, c: number, d: number): number {
  return finalize(mixStep(mixStep(mixStep(mixStep(SEED, a), b), c), d));
}

function mixStep(h: number, value: number): number {
  let k = Math.imul(value | 0, 0xcc9e2d51);
  k = (k << 15) | (k >>> 17);
  h ^= Math.imul(k, 0x1b873593);
  h = (h << 13) | (h >>> 19);
  return (Math.imul(h, 5) + 0xe6546b64) | 0;
}

function finalize(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** Numbers naming the independent streams, so that adding one stream never shifts another. */
export const Stream = {
  geography: 1,
  chunk: 2,
  enterprise: 3,
  agencies: 4,
  scramble: 5,
  finance: 6,
} as const;

/** A small fast generator (sfc32, from PractRand) with the helpers the data generator needs. */
export class Random {
  private a: number;
  private b: number;
  private c: number;
  private d: number;

  constructor(...key: number[]) {
    this.a = hash32(...key, 1);
    this.b = hash32(...key, 2);
    this.c = hash32(...key, 3);
    this.d = 1;
    for (let i = 0; i < 12; i++) this.next();
  }

  /** A uniform unsigned 32-bit integer. */
  next(): number {
    const t = (((this.a + this.b) | 0) + this.d) | 0;
    this.d = (this.d + 1) | 0;
    this.a = this.b ^ (this.b >>> 9);
    this.b = (this.c + (this.c << 3)) | 0;
    this.c = (this.c << 21) | (this.c >>> 11);
    this.c = (this.c + t) | 0;
    return t >>> 0;
  }

  /** Uniform in [0, 1). */
  float(): number {
    return this.next() / 4294967296;
  }

  /** Uniform integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.float() * n);
  }

  /** Uniform integer in [min, max], both included. */
  range(min: number, max: number): number {
    return min + Math.floor(this.float() * (max - min + 1));
  }

  chance(probability: number): boolean {
    return this.float() < probability;
  }

  pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.float() * items.length)];
  }

  /** Standard normal deviate (Box-Muller). */
  normal(): number {
    const u = 1 - this.float();
    const v = this.float();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
  }

  /** Log-normal value with the given median and spread (sigma of the underlying normal). */
  logNormal(median: number, sigma: number): number {
    return median * Math.exp(sigma * this.normal());
  }

  /** Fisher-Yates shuffle in place. */
  shuffle<T>(items: T[]): T[] {
    for (let i = items.length - 1; i > 0; i--) {
      const j = Math.floor(this.float() * (i + 1));
      const tmp = items[i];
      items[i] = items[j];
      items[j] = tmp;
    }
    return items;
  }
}

/** Values with weights, drawn by binary search over the cumulative weights. */
export class Weighted<T> {
  readonly values: readonly T[];
  private readonly cumulative: Float64Array;
  private readonly total: number;

  constructor(entries: readonly (readonly [T, number])[]) {
    if (entries.length === 0) throw new Error('Weighted needs at least one entry');
    this.values = entries.map(([value]) => value);
    this.cumulative = new Float64Array(entries.length);
    let sum = 0;
    entries.forEach(([, weight], i) => {
      sum += weight;
      this.cumulative[i] = sum;
    });
    this.total = sum;
  }

  draw(random: Random): T {
    const target = random.float() * this.total;
    let lo = 0;
    let hi = this.cumulative.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.cumulative[mid] > target) hi = mid;
      else lo = mid + 1;
    }
    return this.values[lo];
  }
}

/**
 * A keyed bijection of [0, size) onto itself, so that serial numbers drawn from a counter are
 * unique yet look random: a 4-round Feistel network over the smallest even number of bits that
 * covers the range, cycle-walking until the value falls inside it.
 */
export class Scrambler {
  private readonly halfBits: number;
  private readonly halfMask: number;
  private readonly key: number;
  private readonly width: number;

  constructor(
    readonly size: number,
    ...key: number[]
  ) {
    if (!Number.isSafeInteger(size) || size < 2) throw new RangeError(`bad scrambler size ${size}`);
    this.halfBits = Math.ceil(Math.ceil(Math.log2(size)) / 2);
    this.halfMask = 2 ** this.halfBits - 1;
    this.key = hash32(Stream.scramble, size, ...key);
    this.width = String(size - 1).length;
  }

  /** The image of `counter` under the permutation chosen by `tweak`. */
  index(counter: number, tweak = 0): number {
    if (!Number.isSafeInteger(counter) || counter < 0 || counter >= this.size) {
      throw new RangeError(`serial space of ${this.size} exhausted at ${counter}`);
    }
    let value = counter;
    do value = this.permute(value, tweak);
    while (value >= this.size);
    return value;
  }

  /** index() zero-padded to the width of the largest value: 6 digits for a size of 10^6. */
  serial(counter: number, tweak = 0): string {
    return String(this.index(counter, tweak)).padStart(this.width, '0');
  }

  private permute(value: number, tweak: number): number {
    let left = Math.floor(value / 2 ** this.halfBits);
    let right = value & this.halfMask;
    for (let round = 0; round < 4; round++) {
      const next = (left ^ hash4(this.key, tweak, round, right)) & this.halfMask;
      left = right;
      right = next;
    }
    return left * 2 ** this.halfBits + right;
  }
}
