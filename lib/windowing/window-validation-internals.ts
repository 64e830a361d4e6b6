/**
 * Call-time checks of a window operator's assigner and options (shared by `window`, `windowAll` and their
 * sugar operators). Sizes, slides and gaps are checked by the assigners themselves.
 * @module
 */
import type { ErrorOrigin } from '../core/errors';
import { checkFunctionOrMethod, checkMethods, checkOptions, checkOutputTag } from '../core/validate';

/** Throws an `InvalidArgumentError` naming the first option of a window operator that has the wrong shape. */
export function checkWindowArguments(kind: string, assigner: unknown, options: unknown): void {
  checkOptions(kind, options);
  const o = (options ?? {}) as Record<string, unknown>;
  const origin: ErrorOrigin = { operator: (o['name'] as string | undefined) ?? kind, uid: o['uid'] as string | undefined };
  checkMethods(origin, 'assigner', assigner, ['assignWindows', 'getDefaultTrigger', 'isEventTime']);
  if (o['trigger'] !== undefined) checkMethods(origin, 'trigger', o['trigger'], ['onElement', 'onEventTime', 'onProcessingTime', 'clear'], ['canMerge', 'onMerge']);
  if (o['evictor'] !== undefined) checkMethods(origin, 'evictor', o['evictor'], ['evictBefore', 'evictAfter']);
  if (o['lateOutput'] !== undefined) checkOutputTag(origin, 'lateOutput', o['lateOutput']);
  if (o['aggregate'] !== undefined) checkMethods(origin, 'aggregate', o['aggregate'], ['createAccumulator', 'add', 'getResult'], ['merge']);
  if (o['process'] !== undefined) checkFunctionOrMethod(origin, 'process', o['process'], 'process', '(key, ctx, elements, out) => void');
}
