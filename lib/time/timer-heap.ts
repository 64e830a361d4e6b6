/** A binary min-heap ordered by `compare`; used by the timer service. @module */
export class MinHeap<T> {
  private readonly items: T[] = [];
  constructor(private readonly compare: (a: T, b: T) => number) {}

  get size(): number {
    return this.items.length;
  }
  peek(): T | undefined {
    return this.items[0];
  }
  push(item: T): void {
    const a = this.items;
    let i = a.push(item) - 1;
    // move the hole up, then drop the item in (no swaps)
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (this.compare(item, a[p]!) >= 0) break;
      a[i] = a[p]!;
      i = p;
    }
    a[i] = item;
  }
  pop(): T | undefined {
    const a = this.items;
    const top = a[0];
    const last = a.pop();
    if (a.length > 0 && last !== undefined) {
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        if (l >= a.length) break;
        const c = l + 1 < a.length && this.compare(a[l + 1]!, a[l]!) < 0 ? l + 1 : l;
        if (this.compare(a[c]!, last) >= 0) break;
        a[i] = a[c]!;
        i = c;
      }
      a[i] = last;
    }
    return top;
  }
  clear(): void {
    this.items.length = 0;
  }
  toArray(): T[] {
    return this.items.slice();
  }
}
