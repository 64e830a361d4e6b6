/**
 * A counter-based pseudo-random generator: its whole state is one 32-bit counter, seeded from an event id
 * and a seed, so the n-th draw for an event is the same whenever and wherever the event is generated (the
 * property Beam's Nexmark gets by seeding `java.util.Random` with the event id). The mixing is SplitMix32's
 * finaliser (Murmur3 constants) over a Weyl sequence. Internal to the Nexmark generator.
 * @module
 */

const TWO_32 = 4294967296;

function mix32(x: number): number {
  let z = x | 0;
  z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
  z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
  return (z ^ (z >>> 16)) >>> 0;
}

/** Draws for one event at a time: `reset(seed, id)`, then `nextInt` / `nextDouble` (no allocation). */
export class CounterRandom {
  private state = 0;

  /** Starts the sequence of event `id` (a non-negative integer below 2^53) under `seed`. */
  reset(seed: number, id: number): this {
    const hi = Math.floor(id / TWO_32);
    this.state = mix32((id >>> 0) ^ mix32(hi ^ mix32(seed + 0x632be5ab)));
    return this;
  }

  /** A uniform 32-bit unsigned integer. */
  nextUint32(): number {
    this.state = (this.state + 0x9e3779b9) | 0;
    return mix32(this.state);
  }

  /** Uniform in [0, 1) with 32 bits of resolution. */
  nextDouble(): number {
    return this.nextUint32() / TWO_32;
  }

  /** Uniform integer in [0, n) for a positive integer `n`. */
  nextInt(n: number): number {
    return Math.floor(this.nextDouble() * n);
  }
}
