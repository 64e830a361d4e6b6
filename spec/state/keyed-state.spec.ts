import fc from 'fast-check';
import { lastValueFrom, of, toArray } from 'rxjs';
import { marbles } from 'rxjs-marbles/jest';
import {
  AggregatingStateDescriptor,
  HeapKeyedStateBackend,
  keyBy,
  keyedProcess,
  ListStateDescriptor,
  map,
  MapStateDescriptor,
  NotKeyedError,
  process,
  ReducingStateDescriptor,
  StateTtlConfig,
  ValueStateDescriptor,
  values,
  windowCount,
  HeapOperatorStateBackend,
  keyGroupOf,
  redistributeOperatorState,
  StateError,
  type Key,
  type KeyedStateChanges,
  type KeyedStateSnapshot,
  type ListState,
  type MapState,
  type ValueState,
} from '../../lib/index';
import { rec } from '../../lib/testing/index';

describe('keyed state in rich functions', () => {
  it('a rich map on a keyed stream keeps state per key', async () => {
    let n!: ValueState<number>;
    const out = await lastValueFrom(
      of('a', 'b', 'a', 'a').pipe(
        keyBy((s: string) => s),
        map({
          open(ctx) {
            n = ctx.getState(new ValueStateDescriptor<number>('n', 0));
          },
          map(s: string) {
            n.update(n.value()! + 1);
            return `${s}${n.value()}`;
          },
        }),
        values(),
        toArray(),
      ),
    );
    expect(out).toEqual(['a1', 'b1', 'a2', 'a3']);
  });

  it('using keyed state on a non-keyed stream is a NotKeyedError', async () => {
    let s!: ValueState<number>;
    const err = await lastValueFrom(
      of(1).pipe(
        process<number, number>({
          open(ctx) {
            s = ctx.getState(new ValueStateDescriptor<number>('s'));
          },
          processElement(v) {
            s.update(v);
          },
        }),
      ),
    ).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(NotKeyedError);
    expect((err as Error).message).toBe('process: keyed state "s" needs a keyed stream: apply keyBy(selector) before it');
  });
});

describe('state kinds', () => {
  const backend = () => new HeapKeyedStateBackend({ operator: 'test' }, () => 0);

  it('reducing and aggregating state fold what is added', () => {
    const b = backend();
    const total = b.getReducingState(new ReducingStateDescriptor<number>('total', (x, y) => x + y));
    const count = b.getAggregatingState(new AggregatingStateDescriptor('count', windowCount<string>()));
    b.setCurrentKey('a');
    total.add(2);
    total.add(5);
    count.add('x');
    count.add('y');
    b.setCurrentKey('b');
    expect(total.get()).toBeUndefined();
    total.add(1);
    b.setCurrentKey('a');
    expect(total.get()).toBe(7);
    expect(count.get()).toBe(2);
    total.clear();
    expect(total.get()).toBeUndefined();
  });

  it('round-trips through a snapshot, by key group', () => {
    const b = backend();
    const v = b.getState(new ValueStateDescriptor<number>('v'));
    const l = b.getListState(new ListStateDescriptor<string>('l'));
    for (const k of ['a', 'b', 'c']) {
      b.setCurrentKey(k);
      v.update(k.charCodeAt(0));
      l.add(k);
      l.add(k.toUpperCase());
    }
    const snap = b.snapshot();
    const restored = backend();
    restored.restore(snap);
    const v2 = restored.getState(new ValueStateDescriptor<number>('v'));
    const l2 = restored.getListState(new ListStateDescriptor<string>('l'));
    restored.setCurrentKey('b');
    expect(v2.value()).toBe(98);
    expect(l2.get()).toEqual(['b', 'B']);
    // a subtask that owns only some key groups restores only those keys
    const groupOfA = snap.states['v']!.entries.find((e) => e.key === 'a')!.keyGroup;
    const part = backend();
    part.restore(snap, (g) => g === groupOfA);
    const v3 = part.getState(new ValueStateDescriptor<number>('v'));
    part.setCurrentKey('a');
    expect(v3.value()).toBe(97);
    expect(part.numEntries()).toBeLessThan(restored.numEntries());
  });
});

describe('TTL on processing time', () => {
  it('expires a value in virtual time; reads do not refresh it with OnCreateAndWrite', marbles((m) => {
    const ttl = StateTtlConfig.newBuilder(10).build();
    const seen = new ValueStateDescriptor<number>('seen').enableTimeToLive(ttl);
    let state!: ValueState<number>;
    const source = m.cold('a-----a-----a------a|', { a: rec('a', undefined, 'k') });
    const out = source.pipe(
      keyedProcess<string, string, string>(
        {
          open(ctx) {
            state = ctx.getState(seen);
          },
          processElement(_v, ctx, o) {
            const before = state.value();
            o.collect(before === undefined ? 'new' : `seen at ${before}`);
            if (before === undefined) state.update(ctx.timerService().currentProcessingTime());
          },
        },
        { scheduler: m.scheduler },
      ),
      values(),
    );
    // written at 0; read at 6 (alive); at 12 expired (>= 10 ms) → new, written at 12; at 19 alive
    m.expect(out).toBeObservable('a-----b-----a------c|', { a: 'new', b: 'seen at 0', c: 'seen at 12' });
  }));

  it('OnReadAndWrite refreshes on read; ReturnExpiredIfNotCleanedUp still returns an expired value once', () => {
    let now = 0;
    const b = new HeapKeyedStateBackend({ operator: 'ttl' }, () => now);
    const refreshed = b.getState(new ValueStateDescriptor<string>('r').enableTimeToLive(StateTtlConfig.newBuilder(10).setUpdateType('OnReadAndWrite').build()));
    const lenient = b.getState(
      new ValueStateDescriptor<string>('l').enableTimeToLive(StateTtlConfig.newBuilder(10).setStateVisibility('ReturnExpiredIfNotCleanedUp').disableCleanupInBackground().build()),
    );
    b.setCurrentKey('k');
    refreshed.update('x');
    lenient.update('y');
    now = 8;
    expect(refreshed.value()).toBe('x'); // refreshes to 8
    now = 15;
    expect(refreshed.value()).toBe('x'); // 15 - 8 < 10
    expect(lenient.value()).toBe('y'); // expired, returned, and cleaned up
    expect(lenient.value()).toBeUndefined();
  });

  it('expires list elements and map entries one by one, and cleans up incrementally and in snapshots', () => {
    let now = 0;
    const b = new HeapKeyedStateBackend({ operator: 'ttl' }, () => now);
    const ttl = StateTtlConfig.newBuilder(10).cleanupIncrementally(5).cleanupFullSnapshot().build();
    const list = b.getListState(new ListStateDescriptor<number>('list').enableTimeToLive(ttl));
    const mapState = b.getMapState(new MapStateDescriptor<string, number>('map').enableTimeToLive(ttl));
    b.setCurrentKey('k');
    list.add(1);
    mapState.put('old', 1);
    now = 6;
    list.add(2);
    mapState.put('new', 2);
    now = 12;
    expect(list.get()).toEqual([2]);
    expect(mapState.entries()).toEqual([['new', 2]]);
    for (let i = 0; i < 20; i++) {
      b.setCurrentKey(`other${i}`);
      list.add(i);
    }
    now = 40;
    expect(b.snapshot().states['list']!.entries).toEqual([]);
    b.setCurrentKey('probe');
    list.get(); // an access runs incremental cleanup over 5 entries
    expect(b.numEntries()).toBeLessThan(21);
  });

  it('with cleanupIncrementally(n, true), every record cleans n entries, even of states it does not touch', () => {
    let now = 0;
    const b = new HeapKeyedStateBackend({ operator: 'ttl' }, () => now);
    const everyRecord = StateTtlConfig.newBuilder(10).cleanupIncrementally(3, true).build();
    const onAccess = StateTtlConfig.newBuilder(10).cleanupIncrementally(3).build();
    const a = b.getState(new ValueStateDescriptor<number>('a').enableTimeToLive(everyRecord));
    const c = b.getState(new ValueStateDescriptor<number>('c').enableTimeToLive(onAccess));
    for (let i = 0; i < 9; i++) {
      b.setCurrentKey(`k${i}`);
      a.update(i);
      c.update(i);
    }
    expect(b.numEntries()).toBe(18);
    now = 20; // every entry has expired
    b.cleanupOnRecord(); // 3 of 'a' go; 'c' waits for an access
    expect(b.numEntries()).toBe(15);
    b.cleanupOnRecord();
    b.cleanupOnRecord();
    expect(b.numEntries()).toBe(9);
    expect(b.keys('a')).toEqual([]);
    expect(b.keys('c')).toHaveLength(9);
  });

  it('refuses a non-positive TTL', () => {
    expect(() => StateTtlConfig.newBuilder(0)).toThrow('StateTtlConfig.newBuilder: ttl must be a positive finite number of milliseconds, got 0');
  });
});

describe('map and list state (properties against a plain model)', () => {
  it('map state behaves as a Map per key', () => {
    const op = fc.oneof(
      fc.record({ op: fc.constant('put' as const), key: fc.constantFrom('a', 'b'), k: fc.integer({ min: 0, max: 4 }), v: fc.integer() }),
      fc.record({ op: fc.constant('remove' as const), key: fc.constantFrom('a', 'b'), k: fc.integer({ min: 0, max: 4 }) }),
      fc.record({ op: fc.constant('clear' as const), key: fc.constantFrom('a', 'b') }),
    );
    fc.assert(
      fc.property(fc.array(op, { maxLength: 50 }), (ops) => {
        const b = new HeapKeyedStateBackend({ operator: 'p' }, () => 0);
        const s = b.getMapState(new MapStateDescriptor<number, number>('m'));
        const model = new Map<string, Map<number, number>>();
        for (const o of ops) {
          b.setCurrentKey(o.key);
          const mm = model.get(o.key) ?? new Map<number, number>();
          model.set(o.key, mm);
          if (o.op === 'put') {
            s.put(o.k, o.v);
            mm.set(o.k, o.v);
          } else if (o.op === 'remove') {
            s.remove(o.k);
            mm.delete(o.k);
          } else {
            s.clear();
            mm.clear();
          }
          expect(new Map(s.entries())).toEqual(mm);
          expect(s.isEmpty()).toBe(mm.size === 0);
          for (let k = 0; k < 5; k++) {
            expect(s.contains(k)).toBe(mm.has(k));
            expect(s.get(k)).toBe(mm.get(k));
          }
        }
      }),
      { numRuns: 200 },
    );
  });

  it('list state behaves as an array per key', () => {
    const op = fc.oneof(
      fc.record({ op: fc.constant('add' as const), key: fc.constantFrom('a', 'b'), v: fc.integer() }),
      fc.record({ op: fc.constant('addAll' as const), key: fc.constantFrom('a', 'b'), vs: fc.array(fc.integer(), { maxLength: 3 }) }),
      fc.record({ op: fc.constant('update' as const), key: fc.constantFrom('a', 'b'), vs: fc.array(fc.integer(), { maxLength: 3 }) }),
      fc.record({ op: fc.constant('clear' as const), key: fc.constantFrom('a', 'b') }),
    );
    fc.assert(
      fc.property(fc.array(op, { maxLength: 50 }), (ops) => {
        const b = new HeapKeyedStateBackend({ operator: 'p' }, () => 0);
        const s = b.getListState(new ListStateDescriptor<number>('l'));
        const model = new Map<string, number[]>();
        for (const o of ops) {
          b.setCurrentKey(o.key);
          const cur = model.get(o.key) ?? [];
          if (o.op === 'add') model.set(o.key, [...cur, o.v]);
          else if (o.op === 'addAll') model.set(o.key, [...cur, ...o.vs]);
          else if (o.op === 'update') model.set(o.key, [...o.vs]);
          else model.set(o.key, []);
          if (o.op === 'add') s.add(o.v);
          else if (o.op === 'addAll') s.addAll(o.vs);
          else if (o.op === 'update') s.update(o.vs);
          else s.clear();
          expect(s.get()).toEqual(model.get(o.key));
        }
      }),
      { numRuns: 200 },
    );
  });
});

describe('names and keys that are Object.prototype members', () => {
  const odd = ['__proto__', 'constructor', 'toString'];

  it('keeps states named __proto__, constructor and toString, keyed by those words, through a snapshot', () => {
    const b = new HeapKeyedStateBackend({ operator: 'p' }, () => 0);
    const handles = odd.map((name) => b.getState(new ValueStateDescriptor<string>(name)));
    for (const key of odd) {
      b.setCurrentKey(key);
      handles.forEach((h, i) => h.update(`${odd[i]}@${key}`));
    }
    const snap = b.snapshot();
    expect(Object.keys(snap.states).sort()).toEqual([...odd].sort());
    // the snapshot survives JSON (the form a storage writes), then restores every name and key
    const restored = new HeapKeyedStateBackend({ operator: 'p' }, () => 0);
    restored.restore(JSON.parse(JSON.stringify(snap)) as typeof snap);
    const again = odd.map((name) => restored.getState(new ValueStateDescriptor<string>(name)));
    for (const key of odd) {
      restored.setCurrentKey(key);
      expect(again.map((h) => h.value())).toEqual(odd.map((name) => `${name}@${key}`));
    }
    expect(restored.numEntries()).toBe(9);
    expect(Object.getPrototypeOf({})).toBe(Object.prototype); // nothing polluted
  });

  it('keeps operator states with those names through snapshot and redistribution', () => {
    const b = new HeapOperatorStateBackend({ operator: 'p' });
    for (const name of odd) b.getListState(new ListStateDescriptor<string>(name)).add(name);
    b.getBroadcastState(new MapStateDescriptor<string, number>('hasOwnProperty')).put('__proto__', 1);
    const parts = redistributeOperatorState([JSON.parse(JSON.stringify(b.snapshot())) as ReturnType<typeof b.snapshot>], 2);
    expect(parts.map((p) => Object.keys(p.states).sort())).toEqual([[...odd, 'hasOwnProperty'].sort(), [...odd, 'hasOwnProperty'].sort()]);
    const r = new HeapOperatorStateBackend({ operator: 'p' });
    r.restore(parts[0]!);
    expect(odd.map((name) => r.getListState(new ListStateDescriptor<string>(name)).get())).toEqual(odd.map((name) => [name]));
    expect(r.getBroadcastState(new MapStateDescriptor<string, number>('hasOwnProperty')).get('__proto__')).toBe(1);
  });
});

describe('changed keys for incremental snapshots (property against a model)', () => {
  type Op =
    | { op: 'set'; key: number; v: number }
    | { op: 'clearValue'; key: number }
    | { op: 'add'; key: number; v: number }
    | { op: 'put'; key: number; k: number; v: number }
    | { op: 'remove'; key: number; k: number }
    | { op: 'read'; key: number }
    | { op: 'checkpoint' };
  const KEYS = ['a', 'b', '__proto__', 'constructor', 7, ['x', 1]] as const;
  const key = fc.nat(KEYS.length - 1);
  const opArb: fc.Arbitrary<Op> = fc.oneof(
    fc.record({ op: fc.constant('set' as const), key, v: fc.integer() }),
    fc.record({ op: fc.constant('clearValue' as const), key }),
    fc.record({ op: fc.constant('add' as const), key, v: fc.integer() }),
    fc.record({ op: fc.constant('put' as const), key, k: fc.nat(2), v: fc.integer() }),
    fc.record({ op: fc.constant('remove' as const), key, k: fc.nat(2) }),
    fc.record({ op: fc.constant('read' as const), key }),
    fc.record({ op: fc.constant('checkpoint' as const) }),
  );
  const normalize = (s: KeyedStateSnapshot): unknown =>
    Object.keys(s.states)
      .sort()
      .map((name) => [name, s.states[name]!.entries.map((e) => [JSON.stringify(e.key), e.keyGroup, e.data] as const).sort((x, y) => (x[0] < y[0] ? -1 : 1))]);

  it('a full snapshot plus the changes, in order, restores the state; unchanged keys are never in the changes', () => {
    fc.assert(
      fc.property(fc.array(opArb, { maxLength: 60 }), (ops) => {
        const make = (): [HeapKeyedStateBackend, ValueState<number>, ListState<number>, MapState<number, number>] => {
          const b = new HeapKeyedStateBackend({ operator: 'p' }, () => 0);
          return [b, b.getState(new ValueStateDescriptor<number>('v')), b.getListState(new ListStateDescriptor<number>('l')), b.getMapState(new MapStateDescriptor<number, number>('__proto__'))];
        };
        const [b, v, l, m] = make();
        // some state before tracking starts: it is in the full snapshot, not in the changes
        b.setCurrentKey('a');
        v.update(-1);
        b.startChangeTracking();
        const full = b.snapshot();
        const chain: KeyedStateChanges[] = [];
        let touched = new Set<string>();
        const check = (): void => {
          const changes = b.snapshotChanges();
          for (const name of Object.keys(changes.states)) {
            for (const [g, c] of changes.states[name]!.keyGroups) {
              for (const k of [...c.updated.map((e) => e.key), ...c.removed]) {
                expect(touched.has(JSON.stringify(k))).toBe(true);
                expect(keyGroupOf(k)).toBe(g);
              }
            }
          }
          chain.push(changes);
          touched = new Set();
        };
        for (const o of ops) {
          if (o.op === 'checkpoint') {
            check();
            continue;
          }
          const k = KEYS[o.key]! as Key;
          b.setCurrentKey(k);
          if (o.op !== 'read') touched.add(JSON.stringify(k));
          if (o.op === 'set') v.update(o.v);
          else if (o.op === 'clearValue') v.clear();
          else if (o.op === 'add') l.add(o.v);
          else if (o.op === 'put') m.put(o.k, o.v);
          else if (o.op === 'remove') m.remove(o.k);
          else {
            v.value();
            l.get();
            m.entries();
          }
        }
        check();
        const [r] = make();
        r.restore(full);
        for (const c of chain) r.applyChanges(c);
        expect(normalize(r.snapshot())).toEqual(normalize(b.snapshot()));
        // and nothing changed since the last round
        expect(Object.keys(b.snapshotChanges().states)).toEqual([]);
      }),
      { numRuns: 300 },
    );
  });

  it('changes are refused before tracking starts', () => {
    const b = new HeapKeyedStateBackend({ operator: 'p' }, () => 0);
    expect(() => b.snapshotChanges()).toThrow(StateError);
  });
});

describe('value state without a TTL (values held directly) against value state with a TTL that never expires', () => {
  type Op =
    | { op: 'read' | 'clear' | 'clearKey' | 'checkpoint' | 'keys'; key: number }
    | { op: 'update'; key: number; v: number | undefined }
    | { op: 'startTracking' | 'restore'; key: number };
  const KEYS = ['a', 'b', 7, '7', ['x', 1], ['x', '1'], true] as const;
  const opArb: fc.Arbitrary<Op> = fc.oneof(
    fc.record({ op: fc.constantFrom('read' as const, 'clear' as const, 'clearKey' as const, 'checkpoint' as const, 'keys' as const, 'startTracking' as const, 'restore' as const), key: fc.nat(KEYS.length - 1) }),
    fc.record({ op: fc.constant('update' as const), key: fc.nat(KEYS.length - 1), v: fc.option(fc.integer(), { nil: undefined }) }),
    fc.record({ op: fc.constant('update' as const), key: fc.nat(KEYS.length - 1), v: fc.integer() }),
  );
  /** The never-expiring TTL takes the general path (an entry per key with its stamp); the clock stays at 0, so stamps are 0 on both. */
  const forever = () => StateTtlConfig.newBuilder(Number.MAX_SAFE_INTEGER).disableCleanupInBackground().build();
  const normalize = (s: KeyedStateSnapshot): unknown =>
    Object.keys(s.states)
      .sort()
      .map((name) => [name, s.states[name]!.entries.map((e) => [JSON.stringify(e.key), e.keyGroup, e.data] as const).sort((x, y) => (x[0] < y[0] ? -1 : 1))]);
  const normalizeChanges = (c: KeyedStateChanges): unknown =>
    Object.keys(c.states)
      .sort()
      .map((name) => [
        name,
        [...c.states[name]!.keyGroups]
          .sort((x, y) => x[0] - y[0])
          .map(([g, ch]) => [g, ch.updated.map((e) => [JSON.stringify(e.key), e.data]).sort(), ch.removed.map((k) => JSON.stringify(k)).sort()]),
      ]);

  it('every read, snapshot, key list and tracked change is the same, and a restored backend holds the same', () => {
    fc.assert(
      fc.property(fc.array(opArb, { maxLength: 80 }), fc.boolean(), (ops, restoreBeforeRegister) => {
        const make = (ttl: boolean, from?: { snap: KeyedStateSnapshot; changes: KeyedStateChanges[] }): [HeapKeyedStateBackend, ValueState<number>] => {
          const b = new HeapKeyedStateBackend({ operator: 'p' }, () => 0);
          const d = new ValueStateDescriptor<number>('v', -1);
          if (ttl) d.enableTimeToLive(forever());
          // restored entries wait for their descriptor when it registers later
          if (from !== undefined && restoreBeforeRegister) {
            b.restore(from.snap);
            for (const c of from.changes) b.applyChanges(c);
          }
          const v = b.getState(d);
          if (from !== undefined && !restoreBeforeRegister) {
            b.restore(from.snap);
            for (const c of from.changes) b.applyChanges(c);
          }
          return [b, v];
        };
        let [direct, dv] = make(false);
        let [general, gv] = make(true);
        let base: KeyedStateSnapshot | undefined;
        let chain: KeyedStateChanges[] = [];
        for (const o of ops) {
          const k = KEYS[o.key]! as Key;
          for (const b of [direct, general]) b.setCurrentKey(k);
          switch (o.op) {
            case 'read':
              expect(dv.value()).toBe(gv.value());
              break;
            case 'update':
              dv.update(o.v as number);
              gv.update(o.v as number);
              break;
            case 'clear':
              dv.clear();
              gv.clear();
              break;
            case 'clearKey':
              direct.clearCurrentKey();
              general.clearCurrentKey();
              break;
            case 'keys':
              expect(direct.keys('v').map((x) => JSON.stringify(x)).sort()).toEqual(general.keys('v').map((x) => JSON.stringify(x)).sort());
              expect(direct.numEntries()).toBe(general.numEntries());
              expect([...direct.mapKeysWithState()].sort()).toEqual([...general.mapKeysWithState()].sort());
              break;
            case 'startTracking':
              direct.startChangeTracking();
              general.startChangeTracking();
              base = direct.snapshot();
              chain = [];
              expect(normalize(base)).toEqual(normalize(general.snapshot()));
              break;
            case 'checkpoint':
              if (!direct.isTrackingChanges()) break;
              {
                const c = direct.snapshotChanges();
                expect(normalizeChanges(c)).toEqual(normalizeChanges(general.snapshotChanges()));
                chain.push(c);
              }
              break;
            case 'restore':
              // a restored backend (full snapshot plus the changes) holds what the running one holds
              if (base === undefined) break;
              {
                const last = direct.snapshotChanges();
                general.snapshotChanges();
                chain.push(last);
                const from = { snap: base, changes: chain };
                [direct, dv] = make(false, from);
                [general, gv] = make(true, from);
                base = undefined;
                chain = [];
              }
              break;
          }
          expect(normalize(direct.snapshot())).toEqual(normalize(general.snapshot()));
        }
      }),
      { numRuns: 400 },
    );
  });

  it('counts one entry per key and refuses reads and writes without a current key', () => {
    const b = new HeapKeyedStateBackend({ operator: 'p' }, () => 0);
    const v = b.getState(new ValueStateDescriptor<number>('v'));
    for (let i = 0; i < 1000; i++) {
      b.setCurrentKey(`k${i}`);
      v.update(i);
    }
    expect(b.numEntries()).toBe(1000);
    b.setCurrentKey('k999');
    expect(v.value()).toBe(999);
    b.setCurrentKey(undefined);
    expect(() => v.value()).toThrow(NotKeyedError);
    expect(() => v.update(1)).toThrow(NotKeyedError);
  });
});
