// The runtime's public API: the data model every other layer builds on, and the DataStream execution layer.
// Other layers import from here, not from the runtime's internals.
//
//   DataStream API (datastream/) ─records─▶ Transformations ─▶ StreamGraph ─chaining─▶ JobGraph (graph/)
//        ─▶ LocalJob: one LocalSubtask (mailbox loop) per parallel instance, LocalChannels between them (runtime/)
//   operators: map/filter/process (datastream/), windows (windowing/), keyed state (state/), timers (runtime/)
export * from './types/logical-type.js';
export * from './types/schema.js';
export * from './types/row-kind.js';
export * from './batch/validity.js';
export * from './batch/column.js';
export * from './batch/batch.js';
export * from './batch/concat.js';
export * from './batch/arrow.js';
export * from './runtime/operator.js';
export * from './runtime/calc-operator.js';
export * from './runtime/pipeline.js';
export * from './runtime/watermark-assigner.js';
export * from './runtime/time.js';
export * from './runtime/key.js';
export * from './runtime/partitioner.js';
export * from './runtime/channel.js';
export * from './runtime/record-writer.js';
export * from './runtime/watermark-valve.js';
export * from './runtime/source.js';
export * from './runtime/subtask.js';
export * from './runtime/timer-service.js';
export * from './runtime/local-executor.js';
export * from './graph/transformation.js';
export * from './graph/stream-graph.js';
export * from './graph/job-graph.js';
export * from './state/state.js';
export * from './state/heap-backend.js';
export * from './datastream/rows.js';
export * from './datastream/functions.js';
export * from './datastream/watermark-strategy.js';
export * from './datastream/sources.js';
export * from './datastream/sinks.js';
export * from './datastream/operators.js';
export * from './datastream/timestamps-operator.js';
export * from './datastream/interval-join.js';
export * from './datastream/environment.js';
export * from './datastream/data-stream.js';
export * from './windowing/windows.js';
export * from './windowing/functions.js';
export * from './windowing/window-operator.js';
export * from './windowing/merging-window-set.js';
export {
  CountTrigger,
  EventTimeTrigger,
  NeverTrigger,
  ProcessingTimeTrigger,
  PurgingTrigger,
  Triggers,
  defaultTrigger,
  type CustomTrigger,
  type Trigger,
  type TriggerContext,
  type TriggerResult,
} from './windowing/triggers.js';
export * from './types/text.js';
export * from './testing/harness.js';
export * from './runtime/batch-queue.js';
export * from './sql/index.js';
export * from './cluster/api.js';
export * from './cluster/dispatcher.js';
export * from './cluster/dispatcher-context.js';
export { MiniCluster, type MiniClusterConfig } from './cluster/mini-cluster.js';
export { JobManager, type ClusterJobResult, type ExecutionVertex } from './cluster/job-manager.js';
export { TaskManager, Slot } from './cluster/task-manager.js';
export { restartStrategyOf, parseFlinkDuration, type RestartStrategy } from './cluster/restart-strategy.js';
export { encodeElement, decodeElement, encodeBatch } from './cluster/frame.js';
export type { JobSpec, BuildContext, JobGraphBuilder, SlotExecutionOptions } from './cluster/protocol.js';
export type { JobCheckpointing } from './cluster/protocol.js';
export * from './cluster/rest.js';
export * from './cluster/client.js';
export * from './checkpoint/coordinator.js';
export * from './checkpoint/storage.js';
export { defaultCheckpointDir } from './checkpoint/defaults.js';
export { vertexUids } from './checkpoint/uids.js';
export * from './cluster/rest-sql.js';
export { StandaloneJobManager, type StandaloneJobManagerOptions } from './cluster/standalone-jobmanager.js';
export { StandaloneTaskManager, RegistrationRejected, type StandaloneTaskManagerOptions } from './cluster/standalone-taskmanager.js';
export { StandaloneClusterClient, type StandaloneRunOptions } from './cluster/standalone-client.js';
// Rescaling on restore: key-grouped snapshots (custom operators can write them to be rescalable) and the
// redistribution a restore at another parallelism runs.
export * from './state/key-grouped-snapshot.js';
export { snapshotKeyedOperator, restoreKeyedOperator } from './state/keyed-operator.js';
export { redistributeState, checkRescalePreconditions, type RescaleTarget, type RescaleSource } from './state/rescale.js';
export { operatorUids } from './checkpoint/uids.js';
