// Word count with event-time windows, on the DataStream API. A generated stream of sentences (with timestamps
// that arrive up to 2 s out of order, and a few lines later than that) is split into words, keyed by word and
// counted in 10-second tumbling windows; lines too late for their window go to a side output.
//
//   npx tsx examples/datastream-word-count.ts            (prints the top words of each window)
//
// Swap the bounded generator for `count: Infinity, rowsPerSecond: 1000` to watch it run continuously.
import {
  GeneratorSource,
  OutputTag,
  Schema,
  StreamExecutionEnvironment,
  TumblingEventTimeWindows,
  Types,
  WatermarkStrategy,
  type Row,
} from '../executor/index.js';

const WORDS = ['stream', 'batch', 'window', 'watermark', 'state', 'timer', 'key', 'event', 'time', 'flink'];
const lines = Schema.of(['line', Types.STRING()], ['ts', Types.TIMESTAMP(3)]);

/** Line `i`: five words from a skewed vocabulary, one line per 10 ms of event time, some out of order. */
function line(i: number): Row {
  const words: string[] = [];
  for (let w = 0; w < 5; w++) words.push(WORDS[Math.floor(((i * 31 + w * 17) % 97) ** 2 / 941) % WORDS.length] as string);
  let ts = i * 10;
  if (i % 7 === 3) ts -= 1500; // out of order, within the 2 s bound
  if (i % 1000 === 999) ts -= 15_000; // too late for its window: goes to the side output
  return [words.join(' '), ts];
}

// autoWatermarkInterval 0: watermarks follow every row, so which lines are late does not depend on timing.
const env = StreamExecutionEnvironment.getExecutionEnvironment({ parallelism: 2, autoWatermarkInterval: 0 });

const source = GeneratorSource.ofRows(lines, line, { count: 6_000, batchSize: 250 });
const text = env.fromSource(
  source,
  WatermarkStrategy.forBoundedOutOfOrderness(2000).withTimestampAssigner('ts'),
  'sentences',
);

const words = Schema.of(['word', Types.STRING()], ['ts', Types.TIMESTAMP(3)]);
const tooLate = new OutputTag('too-late', words);
const counts = text
  // flatMap sees each row as an array of values; emitted rows keep the input row's event timestamp.
  .flatMap((row, out) => {
    for (const w of (row[0] as string).split(' ')) out.collect([w, row[1] as number]);
  }, words)
  .keyBy('word')
  .window(TumblingEventTimeWindows.of(10_000))
  .sideOutputLateData(tooLate)
  .count(Schema.of(['window_start', Types.TIMESTAMP(3)], ['word', Types.STRING()], ['n', Types.BIGINT()]), {
    // The window function sees the count and adds the key and the window.
    process(word, ctx, [result], out) {
      out.collect([ctx.window().start, word as string, BigInt(result?.[0] as number)]);
    },
  });

counts
  .getSideOutput(tooLate)
  .addSink(() => {
    let late = 0;
    return {
      write: (b) => void (late += b.length),
      finish: () => console.log(`${late} words arrived after their window had fired`),
      close: async () => {},
    };
  }, 'late words')
  .setParallelism(1);

// Collect the windows and print the three most frequent words of each.
const byWindow = new Map<number, [string, bigint][]>();
for await (const [start, word, n] of counts.executeAndCollect('word count')) {
  const list = byWindow.get(start as number) ?? [];
  list.push([word as string, n as bigint]);
  byWindow.set(start as number, list);
}
for (const [start, list] of [...byWindow].sort((a, b) => a[0] - b[0])) {
  const top = list.sort((a, b) => Number(b[1] - a[1]) || a[0].localeCompare(b[0])).slice(0, 3);
  console.log(`[${new Date(start).toISOString().slice(11, 19)}] ${top.map(([w, n]) => `${w}=${n}`).join(' ')}`);
}
