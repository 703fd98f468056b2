// Keyed state as user functions see it (Flink's State API): each state is scoped to the current key (and, for
// windows, a namespace) and read or written through a descriptor. Values must be structured-cloneable: the heap
// backend snapshots them to bytes. TTL follows Flink's StateTtlConfig, measured in processing time.

export interface StateTtlConfig {
  readonly ttlMs: number;
  /** Whether reads refresh the last-access time too (Flink's UpdateType). */
  readonly updateType: 'OnCreateAndWrite' | 'OnReadAndWrite';
  readonly visibility: 'NeverReturnExpired' | 'ReturnExpiredIfNotCleanedUp';
}

export function ttlConfig(ttlMs: number, opts: Partial<Omit<StateTtlConfig, 'ttlMs'>> = {}): StateTtlConfig {
  return {
    ttlMs,
    updateType: opts.updateType ?? 'OnCreateAndWrite',
    visibility: opts.visibility ?? 'NeverReturnExpired',
  };
}

export interface StateOptions {
  readonly ttl?: StateTtlConfig;
}

export interface ValueState<T> {
  value(): T | undefined;
  update(value: T): void;
  clear(): void;
}

export interface ListState<T> {
  get(): readonly T[];
  add(value: T): void;
  addAll(values: readonly T[]): void;
  update(values: readonly T[]): void;
  clear(): void;
}

export interface MapState<K, V> {
  get(key: K): V | undefined;
  put(key: K, value: V): void;
  remove(key: K): void;
  contains(key: K): boolean;
  entries(): [K, V][];
  keys(): K[];
  values(): V[];
  isEmpty(): boolean;
  clear(): void;
}

export interface ReducingState<T> {
  get(): T | undefined;
  add(value: T): void;
  clear(): void;
}

export interface AggregatingState<IN, OUT> {
  get(): OUT | undefined;
  add(value: IN): void;
  clear(): void;
}

/** Flink's AggregateFunction: an accumulator per key (and window), merged for session windows. */
export interface AggregateFunction<IN, ACC, OUT> {
  createAccumulator(): ACC;
  add(value: IN, accumulator: ACC): ACC;
  getResult(accumulator: ACC): OUT;
  merge(a: ACC, b: ACC): ACC;
}

// Descriptors are classes so that `getState(new ValueStateDescriptor<number>('n'))` infers the state's type;
// the `kind` tag makes the set a closed union the backend switches over.
export class ValueStateDescriptor<T> {
  readonly kind = 'value';
  declare readonly _type: T;
  constructor(
    readonly name: string,
    readonly options: StateOptions = {},
  ) {}
}

export class ListStateDescriptor<T> {
  readonly kind = 'list';
  declare readonly _type: T;
  constructor(
    readonly name: string,
    readonly options: StateOptions = {},
  ) {}
}

export class MapStateDescriptor<K, V> {
  readonly kind = 'map';
  declare readonly _type: [K, V];
  constructor(
    readonly name: string,
    readonly options: StateOptions = {},
  ) {}
}

export class ReducingStateDescriptor<T> {
  readonly kind = 'reducing';
  constructor(
    readonly name: string,
    readonly reduce: (a: T, b: T) => T,
    readonly options: StateOptions = {},
  ) {}
}

export class AggregatingStateDescriptor<IN, ACC, OUT> {
  readonly kind = 'aggregating';
  constructor(
    readonly name: string,
    readonly aggregate: AggregateFunction<IN, ACC, OUT>,
    readonly options: StateOptions = {},
  ) {}
}

export type StateDescriptor =
  | ValueStateDescriptor<unknown>
  | ListStateDescriptor<unknown>
  | MapStateDescriptor<unknown, unknown>
  | ReducingStateDescriptor<unknown>
  | AggregatingStateDescriptor<unknown, unknown, unknown>;

/** Where keyed state is read: the current key is set by the operator before each user call. */
export interface KeyedStateStore {
  getState<T>(d: ValueStateDescriptor<T>): ValueState<T>;
  getListState<T>(d: ListStateDescriptor<T>): ListState<T>;
  getMapState<K, V>(d: MapStateDescriptor<K, V>): MapState<K, V>;
  getReducingState<T>(d: ReducingStateDescriptor<T>): ReducingState<T>;
  getAggregatingState<IN, ACC, OUT>(d: AggregatingStateDescriptor<IN, ACC, OUT>): AggregatingState<IN, OUT>;
}
