// Restart strategies with Flink's configuration keys (docs: "Task Failure Recovery"; classes
// FixedDelayRestartBackoffTimeStrategy, ExponentialDelayRestartBackoffTimeStrategy, NoRestartBackoffTimeStrategy):
//   restart-strategy.type: none | off | disable | fixed-delay | fixeddelay | exponential-delay | exponentialdelay
//   restart-strategy.fixed-delay.attempts (1), restart-strategy.fixed-delay.delay (1 s)
//   restart-strategy.exponential-delay.initial-backoff (1 s), .max-backoff (1 min), .backoff-multiplier (1.5),
//   .reset-backoff-threshold (1 h), .jitter-factor (0.1), .attempts-before-reset-backoff (unlimited)
// Without checkpointing Flink's default is none, so is Freshet's until the checkpoint issue lands.

export interface RestartStrategy {
  readonly description: string;
  /** Called on each failure; the delay before the restart in ms, or null when the job must fail. */
  nextDelay(now: number): number | null;
}

/** Flink's duration syntax: `10 s`, `500 ms`, `1 min`, `2 h`; a bare number is milliseconds. */
export function parseFlinkDuration(key: string, text: string): number {
  const m =
    /^\s*(\d+(?:\.\d+)?)\s*(ms|milli|millis|millisecond|milliseconds|s|sec|secs|second|seconds|min|mins|minute|minutes|m|h|hour|hours|d|day|days)?\s*$/i.exec(
      text,
    );
  if (m === null) throw new Error(`'${key}' must be a duration such as '10 s' or '500 ms', not '${text}'`);
  const v = Number(m[1]);
  const unit = (m[2] ?? 'ms').toLowerCase();
  const f =
    unit.startsWith('mil') || unit === 'ms'
      ? 1
      : unit.startsWith('s')
        ? 1000
        : unit.startsWith('m')
          ? 60_000
          : unit.startsWith('h')
            ? 3_600_000
            : 86_400_000;
  return Math.round(v * f);
}

function num(config: ReadonlyMap<string, string>, key: string, dflt: number, integer = false): number {
  const t = config.get(key);
  if (t === undefined) return dflt;
  const v = Number(t);
  if (!Number.isFinite(v) || v < 0 || (integer && !Number.isInteger(v)))
    throw new Error(
      `'${key}' must be a ${integer ? 'non-negative integer' : 'non-negative number'}, not '${t}'`,
    );
  return v;
}

function dur(config: ReadonlyMap<string, string>, key: string, dflt: number): number {
  const t = config.get(key);
  return t === undefined ? dflt : parseFlinkDuration(key, t);
}

export function restartStrategyOf(
  config: ReadonlyMap<string, string>,
  random: () => number = Math.random,
): RestartStrategy {
  const type = (
    config.get('restart-strategy.type') ??
    config.get('restart-strategy') ??
    'none'
  ).toLowerCase();
  switch (type) {
    case 'none':
    case 'off':
    case 'disable':
      return { description: 'NoRestartBackoffTimeStrategy', nextDelay: () => null };
    case 'fixed-delay':
    case 'fixeddelay': {
      const attempts = num(config, 'restart-strategy.fixed-delay.attempts', 1, true);
      const delay = dur(config, 'restart-strategy.fixed-delay.delay', 1000);
      let used = 0;
      return {
        description: `FixedDelayRestartBackoffTimeStrategy(maxNumberRestartAttempts=${attempts}, backoffTimeMS=${delay})`,
        nextDelay: () => (used++ < attempts ? delay : null),
      };
    }
    case 'exponential-delay':
    case 'exponentialdelay': {
      const p = 'restart-strategy.exponential-delay.';
      const initial = dur(config, `${p}initial-backoff`, 1000);
      const max = dur(config, `${p}max-backoff`, 60_000);
      const multiplier = num(config, `${p}backoff-multiplier`, 1.5);
      const reset = dur(config, `${p}reset-backoff-threshold`, 3_600_000);
      const jitter = num(config, `${p}jitter-factor`, 0.1);
      const attempts = num(config, `${p}attempts-before-reset-backoff`, Number.MAX_SAFE_INTEGER, true);
      if (multiplier < 1) throw new Error(`'${p}backoff-multiplier' must be at least 1, not ${multiplier}`);
      let current = initial;
      let last = -Infinity;
      let used = 0;
      return {
        description: `ExponentialDelayRestartBackoffTimeStrategy(initialBackoffMS=${initial}, maxBackoffMS=${max}, backoffMultiplier=${multiplier}, resetBackoffThresholdMS=${reset}, jitterFactor=${jitter}, attemptsBeforeResetBackoff=${attempts})`,
        nextDelay: (now) => {
          // A job that ran long enough since its last failure starts over from the initial backoff (Flink).
          if (now - last >= reset) {
            current = initial;
            used = 0;
          } else current = Math.min(max, current * multiplier);
          last = now;
          if (++used > attempts) return null;
          const j = current * jitter * (2 * random() - 1);
          return Math.max(0, Math.round(Math.min(max, current + j)));
        },
      };
    }
    case 'failure-rate':
    case 'failurerate':
      throw new Error(
        `restart-strategy.type '${type}' is not supported yet (supported: none, fixed-delay, exponential-delay)`,
      );
    default:
      throw new Error(
        `unknown restart-strategy.type '${type}' (supported: none, fixed-delay, exponential-delay)`,
      );
  }
}
