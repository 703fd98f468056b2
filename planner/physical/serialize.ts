// Physical plans as text: what a SQL job ships to the worker threads (and later processes) of a cluster, which
// rebuild the same job graph from it. Each node is written with its name and a version (Flink's ExecNode
// `@ExecNodeMetadata(name, version)`: a saved plan says which node implementation it was made for), Schemas and
// BIGINT/DECIMAL literals survive (bigint-safe JSON), and a node reached twice stays one node. A function made by
// CREATE FUNCTION ... AS 'module#Export' travels as its module URL and export (`$udf`), loaded again where the plan
// is rebuilt. A plan holding what text cannot carry — the code of a function registered as an instance through the
// Table API, a table of a connector factory that is not built in — is refused with the reason, and the caller runs
// the job in its own thread instead.
import { Schema, type JobGraph, type SinkWriter } from '../../executor/index.js';
import { functionOriginOf, type FunctionOrigin } from '../api/functions.js';
import { defaultFactories } from '../catalog/factory.js';
import { loadShippedFunction } from '../catalog/function-loader.js';
import { formatPath } from '../catalog/catalog.js';
import { lowerJob, type LoweringOptions } from './lower.js';
import { physicalInputs, type PhysicalNode } from './plan.js';

/**
 * The version of each node kind's serialized form; bump one when its fields change meaning. A kind not listed is
 * at version 1 (its fields are written as they are).
 */
const NODE_VERSIONS: Readonly<Partial<Record<PhysicalNode['kind'], number>>> = {
  StreamTableSourceScan: 1,
  StreamValues: 1,
  StreamCalc: 1,
  StreamWatermarkAssigner: 1,
  StreamExchange: 1,
  StreamUnion: 1,
  StreamSink: 1,
  StreamGroupAggregate: 1,
  StreamLocalGroupAggregate: 1,
  StreamGlobalGroupAggregate: 1,
  StreamWindowAggregate: 1,
  StreamWindowTableFunction: 1,
  StreamJoin: 1,
  StreamIntervalJoin: 1,
  StreamWindowJoin: 1,
  StreamTemporalJoin: 1,
  StreamRank: 1,
  StreamSortLimit: 1,
  StreamWindowRank: 1,
  StreamDeduplicate: 1,
  StreamWindowDeduplicate: 1,
  StreamChangelogNormalize: 1,
  BatchFinalTable: 1,
  StreamLimit: 1,
  StreamTemporalSort: 1,
  StreamOverAggregate: 1,
  // Plain data like the others (pattern, measures and navigation slots as Rex; lookup keys and cache options;
  // the sink key); listed so that a saved plan names the version it was made for, with round-trip tests.
  StreamMatch: 1,
  StreamLookupJoin: 1,
  StreamSinkUpsertMaterializer: 1,
  StreamCorrelate: 1,
  StreamMiniBatchAssigner: 1,
};

/** Why a plan cannot leave the thread that planned it. */
export class NotSerializable extends Error {
  constructor(readonly reason: string) {
    super(`the plan cannot be serialized: ${reason}`);
    this.name = 'NotSerializable';
  }
}

/** Lowering options without the factory registry (a worker uses the built-in factories). */
export type SerializedOptions = Omit<LoweringOptions, 'factories' | 'target'>;

export interface SerializedPlan {
  readonly format: 'freshet-plan';
  readonly version: 1;
  /** Every node once, inputs before the nodes that read them; `roots` index into it. */
  readonly nodes: readonly unknown[];
  readonly roots: readonly number[];
  readonly options: SerializedOptions;
}

const versionOf = (k: PhysicalNode['kind']): number => NODE_VERSIONS[k] ?? 1;
const isNodeRecord = (r: Record<string, unknown>): boolean =>
  typeof r['kind'] === 'string' &&
  /^(Stream|Batch)[A-Z]/.test(r['kind']) &&
  r['schema'] instanceof Schema &&
  'changelog' in r;

/** Serializes planned statements with their lowering options; throws NotSerializable. */
export function serializePlan(roots: readonly PhysicalNode[], opts: LoweringOptions): SerializedPlan {
  const ids = new Map<PhysicalNode, number>();
  const nodes: unknown[] = [];
  const encode = (v: unknown, where: string): unknown => {
    if (v === null || typeof v === 'string' || typeof v === 'boolean') return v;
    if (typeof v === 'number')
      return Number.isFinite(v) && !Object.is(v, -0) ? v : { $num: String(Object.is(v, -0) ? '-0' : v) };
    if (typeof v === 'bigint') return { $bigint: v.toString() };
    if (typeof v === 'undefined') return { $undefined: true };
    if (typeof v === 'function') throw new NotSerializable(`${where} holds code (a user-defined function)`);
    if (typeof v !== 'object') throw new NotSerializable(`${where} holds a ${typeof v}`);
    const origin = functionOriginOf(v);
    if (origin !== undefined) return { $udf: { ...origin } };
    if (isUserFunction(v))
      throw new NotSerializable(
        `${where} calls the user-defined function '${String((v as { name: unknown }).name)}', registered as an instance through the Table API: its code cannot be shipped to a slot (register it with CREATE FUNCTION ... AS 'module#Export' to run it on the cluster)`,
      );
    if (Array.isArray(v)) return v.map((x: unknown, i: number) => encode(x, `${where}[${i}]`));
    if (v instanceof Schema)
      return { $schema: v.fields.map((f) => ({ name: f.name, type: encode(f.type, `${where}.${f.name}`) })) };
    if (v instanceof Uint8Array) return { $bytes: Buffer.from(v).toString('base64') };
    if (v instanceof Map)
      return { $map: [...v].map(([k, x]) => [encode(k, `${where}{}`), encode(x, `${where}{}`)]) };
    const proto = Object.getPrototypeOf(v) as unknown;
    if (proto !== Object.prototype && proto !== null)
      throw new NotSerializable(`${where} holds a ${(v as object).constructor.name}`);
    const rec = v as Record<string, unknown>;
    if (isNodeRecord(rec)) return { $ref: node(v as PhysicalNode) };
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(rec)) if (x !== undefined) out[k] = encode(x, `${where}.${k}`);
    return out;
  };
  const node = (n: PhysicalNode): number => {
    const known = ids.get(n);
    if (known !== undefined) return known;
    for (const i of physicalInputs(n)) node(i);
    if (n.kind === 'StreamTableSourceScan') checkConnector(n.table.options, formatPath(n.table.path), opts);
    if (n.kind === 'StreamSink' && n.table !== null)
      checkConnector(n.table.options, formatPath(n.table.path), opts);
    const fields: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(n))
      if (k !== 'kind' && x !== undefined) fields[k] = encode(x, `${n.kind}.${k}`);
    const id = nodes.length;
    nodes.push({ $node: n.kind, version: versionOf(n.kind), ...fields });
    ids.set(n, id);
    return id;
  };
  const rootIds = roots.map(node);
  const { factories: _f, target: _t, ...options } = opts;
  return { format: 'freshet-plan', version: 1, nodes, roots: rootIds, options };
}

/** A runtime function object (it holds code: eval, invoke or accumulate) that has no shippable origin. */
function isUserFunction(v: object): boolean {
  const r = v as Record<string, unknown>;
  return (
    typeof r['name'] === 'string' &&
    (typeof r['eval'] === 'function' ||
      typeof r['invoke'] === 'function' ||
      typeof r['accumulate'] === 'function')
  );
}

function checkConnector(
  options: Readonly<Record<string, string>>,
  table: string,
  opts: LoweringOptions,
): void {
  const id = options['connector'] ?? '';
  const f = opts.factories.get(id);
  if (f !== undefined && f !== defaultFactories.get(id))
    throw new NotSerializable(`table ${table} uses a custom '${id}' connector factory`);
}

/** Reads a plan back; refuses node kinds or versions this build does not know. */
export function deserializePlan(plan: SerializedPlan): { roots: PhysicalNode[]; options: SerializedOptions } {
  if (plan.format !== 'freshet-plan' || plan.version !== 1)
    throw new Error(`not a Freshet plan (format ${String(plan.format)} version ${String(plan.version)})`);
  const built: PhysicalNode[] = [];
  // One instance per function name and plan: every node calling it shares it, as the planning session did.
  const functions = new Map<string, unknown>();
  const decode = (v: unknown): unknown => {
    if (v === null || typeof v !== 'object') return v;
    if (Array.isArray(v)) return v.map(decode);
    const rec = v as Record<string, unknown>;
    if ('$ref' in rec) {
      const n = built[rec['$ref'] as number];
      if (n === undefined) throw new Error(`plan refers to node ${String(rec['$ref'])} before it is defined`);
      return n;
    }
    if ('$udf' in rec) {
      const origin = rec['$udf'] as FunctionOrigin;
      const key = `${origin.name}\u0000${origin.module}#${origin.exportName}`;
      if (!functions.has(key)) functions.set(key, loadShippedFunction(origin));
      return functions.get(key);
    }
    if ('$bigint' in rec) return BigInt(rec['$bigint'] as string);
    if ('$num' in rec) return Number(rec['$num']);
    if ('$undefined' in rec) return undefined;
    if ('$bytes' in rec) return new Uint8Array(Buffer.from(rec['$bytes'] as string, 'base64'));
    if ('$map' in rec) return new Map((rec['$map'] as unknown[][]).map(([k, x]) => [decode(k), decode(x)]));
    if ('$schema' in rec)
      return new Schema(
        (rec['$schema'] as { name: string; type: unknown }[]).map((f) => ({
          name: f.name,
          type: decode(f.type) as never,
        })),
      );
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(rec)) out[k] = decode(x);
    return out;
  };
  for (const raw of plan.nodes) {
    const { $node, version, ...fields } = raw as { $node: unknown; version: unknown } & Record<
      string,
      unknown
    >;
    if (typeof $node !== 'string') throw new Error(`a serialized plan node without a name`);
    const kind = $node as PhysicalNode['kind'];
    if (version !== versionOf(kind))
      throw new Error(
        `physical node ${kind} version ${String(version)} is not supported (this build has version ${versionOf(kind)})`,
      );
    built.push({ kind, ...(decode(fields) as object) } as PhysicalNode);
  }
  return { roots: plan.roots.map((i) => built[i] as PhysicalNode), options: plan.options };
}

/**
 * The cluster's job builder for SQL jobs (executor/cluster loads this module by URL in each slot): rebuilds the
 * job graph of a serialized plan with the built-in connector factories.
 */
export function buildJobGraph(payload: unknown, ctx: { readonly resultSink: SinkWriter | null }): JobGraph {
  const { roots, options } = deserializePlan(payload as SerializedPlan);
  return lowerJob(roots, { ...options, factories: defaultFactories }).jobGraph(ctx.resultSink);
}

/** Modules a slot imports before building: the built-in connectors register their factories there. */
export const BUILDER_PRELOAD = [new URL('../../connectors/index.js', import.meta.url).href];
export const BUILDER_MODULE = import.meta.url;
