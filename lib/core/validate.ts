/**
 * Argument checks for the public factories, run once at call time (never per record): JavaScript callers
 * and `any`-typed code get an {@link InvalidArgumentError} naming the operator, the parameter, what it
 * expected and what it got, at the line that built the pipeline, instead of a `TypeError` from deep inside
 * the first record. Window sizes, slides and gaps are checked by their assigners.
 * @module
 */
import { type ErrorOrigin, InvalidArgumentError } from './errors';

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null;

/**
 * Throws unless `value` is a function.
 *
 * @example
 * ```ts
 * checkFunction({ operator: 'reduce' }, 'fn', fn, '(a, b) => value');
 * ```
 */
export function checkFunction(origin: ErrorOrigin, option: string, value: unknown, shape: string): void {
  if (typeof value !== 'function') throw new InvalidArgumentError(origin, option, value, `must be a function ${shape}`);
}

/**
 * Throws unless `value` is a function or an object with the method `method` (a rich function).
 *
 * @example
 * ```ts
 * checkFunctionOrMethod({ operator: 'map' }, 'fn', fn, 'map', '(value) => result');
 * ```
 */
export function checkFunctionOrMethod(origin: ErrorOrigin, option: string, value: unknown, method: string, shape: string): void {
  if (typeof value === 'function' || (isObject(value) && typeof value[method] === 'function')) return;
  throw new InvalidArgumentError(origin, option, value, `must be a function ${shape} or an object with ${method}()`);
}

/**
 * Throws unless `value` is an object with every method in `methods`, and every method in `optional` it
 * has is a function.
 *
 * @example
 * ```ts
 * checkMethods({ operator: 'keyedProcess' }, 'fn', fn, ['processElement'], ['onTimer', 'open', 'close']);
 * ```
 */
export function checkMethods(origin: ErrorOrigin, option: string, value: unknown, methods: readonly string[], optional: readonly string[] = []): void {
  const ok = isObject(value) && methods.every((m) => typeof value[m] === 'function');
  if (!ok) throw new InvalidArgumentError(origin, option, value, `must be an object with ${methods.map((m) => `${m}()`).join(' and ')}`);
  for (const m of optional) {
    if (value[m] !== undefined && typeof value[m] !== 'function') {
      throw new InvalidArgumentError(origin, `${option}.${m}`, value[m], 'must be a function when given');
    }
  }
}

/**
 * Throws unless `options` is `undefined` or an object whose common operator options (`uid`, `name`,
 * `scheduler`, `metrics`) have the right shape when given. `kind` is the operator's own name, used in the
 * error when `options.name` itself is what is wrong.
 *
 * @example
 * ```ts
 * checkOptions('map', options);
 * ```
 */
export function checkOptions(kind: string, options: unknown): void {
  if (options === undefined) return;
  if (!isObject(options)) throw new InvalidArgumentError({ operator: kind }, 'options', options, 'must be an object when given');
  const { name, uid } = options;
  const validName = name === undefined || (typeof name === 'string' && name.length > 0);
  const validUid = uid === undefined || (typeof uid === 'string' && uid.length > 0);
  const origin: ErrorOrigin = { operator: validName && name !== undefined ? (name as string) : kind, uid: validUid ? (uid as string | undefined) : undefined };
  if (!validName) throw new InvalidArgumentError(origin, 'name', name, 'must be a non-empty string when given');
  if (!validUid) throw new InvalidArgumentError(origin, 'uid', uid, 'must be a non-empty string when given');
  const scheduler = options['scheduler'];
  if (scheduler !== undefined && !(isObject(scheduler) && typeof scheduler['now'] === 'function' && typeof scheduler['schedule'] === 'function')) {
    throw new InvalidArgumentError(origin, 'scheduler', scheduler, 'must be an RxJS SchedulerLike (now() and schedule()) when given');
  }
  const metrics = options['metrics'];
  if (metrics !== undefined && !(isObject(metrics) && typeof metrics['counter'] === 'function' && typeof metrics['gauge'] === 'function')) {
    throw new InvalidArgumentError(origin, 'metrics', metrics, 'must be a MetricGroup when given');
  }
}

/**
 * Throws unless `value` is an object (a required options object).
 *
 * @example
 * ```ts
 * checkObject({ operator: 'intervalJoin' }, 'options', options, '{ between: [lower, upper], process }');
 * ```
 */
export function checkObject(origin: ErrorOrigin, option: string, value: unknown, shape: string): void {
  if (!isObject(value)) throw new InvalidArgumentError(origin, option, value, `must be an object ${shape}`);
}

/**
 * Throws unless `value` names a field: `undefined` (the value itself), a property name, or a tuple index.
 *
 * @example
 * ```ts
 * checkField({ operator: 'sum' }, 'field', field);
 * ```
 */
export function checkField(origin: ErrorOrigin, option: string, value: unknown): void {
  if (value === undefined || (typeof value === 'string' && value.length > 0) || (Number.isInteger(value) && (value as number) >= 0)) return;
  throw new InvalidArgumentError(origin, option, value, 'must be a property name, a tuple index (an integer >= 0) or undefined for the value itself');
}

/**
 * Throws unless `value` is an Observable (anything with `subscribe` and `pipe`).
 *
 * @example
 * ```ts
 * checkObservable({ operator: 'union' }, 'others[0]', other);
 * ```
 */
export function checkObservable(origin: ErrorOrigin, option: string, value: unknown): void {
  if (!(isObject(value) && typeof value['subscribe'] === 'function' && typeof value['pipe'] === 'function')) {
    throw new InvalidArgumentError(origin, option, value, 'must be an Observable (a tidemark stream)');
  }
}

/**
 * Throws unless `value` is an `OutputTag` (of any copy of tidemark: an object with a non-empty string `id`).
 *
 * @example
 * ```ts
 * checkOutputTag({ operator: 'sideOutput' }, 'tag', tag);
 * ```
 */
export function checkOutputTag(origin: ErrorOrigin, option: string, value: unknown): void {
  if (!(isObject(value) && typeof value['id'] === 'string' && value['id'].length > 0)) {
    throw new InvalidArgumentError(origin, option, value, "must be an OutputTag, e.g. new OutputTag<T>('late')");
  }
}

/**
 * Throws unless `value` is a boolean.
 *
 * @example
 * ```ts
 * checkBoolean({ operator: 'maxBy' }, 'first', first, 'keep the first of equal records');
 * ```
 */
export function checkBoolean(origin: ErrorOrigin, option: string, value: unknown, meaning: string): void {
  if (typeof value !== 'boolean') throw new InvalidArgumentError(origin, option, value, `must be a boolean (${meaning})`);
}
