/** Reads acknowledged process-operator snapshots back, for assertions on what a checkpoint holds. */
import type { OperatorSnapshot } from '../../lib/index';
import { defaultStateSerializer } from '../../lib/state/serializer';

/** The operator (non-keyed) states of an acknowledged snapshot: name → { mode, items } (every former subtask's merged). */
export function operatorStates(snapshot: unknown): Record<string, { mode: string; items: unknown[] }> {
  const out: Record<string, { mode: string; items: unknown[] }> = {};
  for (const [field, value] of (snapshot as OperatorSnapshot).operator ?? []) {
    const [name] = defaultStateSerializer.deserialize(field) as [string, number];
    out[name] = defaultStateSerializer.deserialize(value) as { mode: string; items: unknown[] };
  }
  return out;
}

/** The decoded fields of the keyed parts of an acknowledged snapshot: [keyGroup, field, value] (value undefined for a tombstone). */
export function keyedEntries(snapshot: unknown): Array<[number, unknown, unknown]> {
  const out: Array<[number, unknown, unknown]> = [];
  for (const [g, entries] of (snapshot as OperatorSnapshot).keyed ?? []) {
    for (const [f, v] of entries) out.push([g, defaultStateSerializer.deserialize(f), v === '' ? undefined : defaultStateSerializer.deserialize(v)]);
  }
  return out;
}
