// Restart strategies and the job status machine, without threads. Flink docs "Task Failure Recovery" (keys and
// defaults) and classes FixedDelayRestartBackoffTimeStrategy / ExponentialDelayRestartBackoffTimeStrategy;
// JobStatus for the transitions.
import { describe, expect, it } from 'vitest';
import { parseFlinkDuration, restartStrategyOf } from '../../executor/cluster/restart-strategy.js';
import { JobStatusMachine } from '../../executor/cluster/job-status.js';

const cfg = (o: Record<string, string>): Map<string, string> => new Map(Object.entries(o));

describe('restart strategies', () => {
  it('none by default (no checkpointing), and under its aliases', () => {
    for (const c of [
      {},
      { 'restart-strategy.type': 'none' },
      { 'restart-strategy.type': 'off' },
      { 'restart-strategy.type': 'disable' },
    ])
      expect(restartStrategyOf(cfg(c)).nextDelay(0)).toBeNull();
  });

  it('fixed-delay: `attempts` restarts after `delay`, then the job fails', () => {
    const s = restartStrategyOf(
      cfg({
        'restart-strategy.type': 'fixed-delay',
        'restart-strategy.fixed-delay.attempts': '3',
        'restart-strategy.fixed-delay.delay': '2 s',
      }),
    );
    expect([s.nextDelay(0), s.nextDelay(1), s.nextDelay(2), s.nextDelay(3)]).toEqual([
      2000,
      2000,
      2000,
      null,
    ]);
    const dflt = restartStrategyOf(cfg({ 'restart-strategy.type': 'fixeddelay' }));
    expect([dflt.nextDelay(0), dflt.nextDelay(0)]).toEqual([1000, null]);
  });

  it('exponential-delay: backoff grows by the multiplier up to the maximum, with jitter, and resets after a quiet period', () => {
    const s = restartStrategyOf(
      cfg({
        'restart-strategy.type': 'exponential-delay',
        'restart-strategy.exponential-delay.initial-backoff': '100 ms',
        'restart-strategy.exponential-delay.max-backoff': '1 s',
        'restart-strategy.exponential-delay.backoff-multiplier': '2',
        'restart-strategy.exponential-delay.reset-backoff-threshold': '1 min',
        'restart-strategy.exponential-delay.jitter-factor': '0',
      }),
    );
    expect([
      s.nextDelay(0),
      s.nextDelay(10),
      s.nextDelay(20),
      s.nextDelay(30),
      s.nextDelay(40),
      s.nextDelay(50),
    ]).toEqual([100, 200, 400, 800, 1000, 1000]);
    expect(s.nextDelay(50 + 60_000)).toBe(100);
    const jittered = restartStrategyOf(cfg({ 'restart-strategy.type': 'exponential-delay' }), () => 1);
    expect(jittered.nextDelay(0)).toBe(1100); // 1 s initial backoff + 10 % jitter at the top of its range
    const capped = restartStrategyOf(
      cfg({
        'restart-strategy.type': 'exponential-delay',
        'restart-strategy.exponential-delay.attempts-before-reset-backoff': '1',
      }),
    );
    expect(capped.nextDelay(0)).not.toBeNull();
    expect(capped.nextDelay(1)).toBeNull();
  });

  it('refuses failure-rate and unknown strategies by name, and bad values with the key', () => {
    expect(() => restartStrategyOf(cfg({ 'restart-strategy.type': 'failure-rate' }))).toThrow(
      /failure-rate' is not supported/,
    );
    expect(() => restartStrategyOf(cfg({ 'restart-strategy.type': 'sometimes' }))).toThrow(
      /unknown restart-strategy.type 'sometimes'/,
    );
    expect(() =>
      restartStrategyOf(
        cfg({ 'restart-strategy.type': 'fixed-delay', 'restart-strategy.fixed-delay.delay': 'soon' }),
      ),
    ).toThrow(/restart-strategy.fixed-delay.delay/);
    expect(parseFlinkDuration('k', '1 min')).toBe(60_000);
    expect(parseFlinkDuration('k', '250')).toBe(250);
  });
});

describe('job status machine', () => {
  it("follows Flink's JobStatus transitions and refuses illegal ones", () => {
    const m = new JobStatusMachine();
    expect(m.state).toBe('CREATED');
    m.transition('RUNNING');
    m.transition('RESTARTING');
    m.transition('RUNNING');
    expect(() => m.transition('CREATED')).toThrow(/illegal job status transition RUNNING -> CREATED/);
    m.transition('FAILING');
    expect(m.can('RUNNING')).toBe(false);
    m.transition('FAILED');
    expect(m.terminal).toBe(true);
    expect(m.timestamps.RESTARTING).toBeGreaterThan(0);
  });
});
