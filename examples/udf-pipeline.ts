// A continuous query embedded in a TypeScript program with user-defined functions and the Table API: click
// events carry a space-separated list of page tags; a TableFunction splits them into rows (joinLateral), an
// AggregateFunction keeps the longest tag per user (with retract and merge, so it also runs in windows), and a
// 10-second tumbling window counts tagged clicks per user. The job runs until it has printed 20 rows, then is
// cancelled — drop 'number-of-rows' and it is an unbounded stream. Run it with
//
//   npx tsx examples/udf-pipeline.ts
import {
  $,
  AggregateFunction,
  call,
  DataTypes,
  lit,
  TableEnvironment,
  TableFunction,
  Tumble,
} from '../index.js';

/** Splits a tag list: one (tag, len) row per tag (Flink's TableFunction with `collect`). */
class SplitTags extends TableFunction<[string, number]> {
  readonly resultType = DataTypes.ROW(
    DataTypes.FIELD('tag', DataTypes.STRING()),
    DataTypes.FIELD('len', DataTypes.INT()),
  );
  eval(tags: string | null): void {
    if (tags === null) return;
    for (const t of tags.split(' ')) if (t !== '') this.collect([t, t.length]);
  }
}

/** The accumulator is plain data: state is checkpointed as data, not as class instances. */
interface LongestAcc {
  counts: Record<string, number>;
}

/** The longest tag seen (ties: the smallest), retractable and mergeable. */
class LongestTag extends AggregateFunction<string | null, LongestAcc> {
  readonly resultType = DataTypes.STRING();
  readonly argTypes = [DataTypes.STRING()];
  createAccumulator(): LongestAcc {
    return { counts: {} };
  }
  accumulate(acc: LongestAcc, tag: string | null): void {
    if (tag !== null) acc.counts[tag] = (acc.counts[tag] ?? 0) + 1;
  }
  retract(acc: LongestAcc, tag: string | null): void {
    if (tag === null) return;
    const n = (acc.counts[tag] ?? 0) - 1;
    if (n <= 0) delete acc.counts[tag];
    else acc.counts[tag] = n;
  }
  merge(acc: LongestAcc, others: Iterable<LongestAcc>): void {
    for (const o of others)
      for (const [t, n] of Object.entries(o.counts)) acc.counts[t] = (acc.counts[t] ?? 0) + n;
  }
  getValue(acc: LongestAcc): string | null {
    const tags = Object.keys(acc.counts).sort((a, b) => b.length - a.length || (a < b ? -1 : 1));
    return tags[0] ?? null;
  }
}

const env = TableEnvironment.create({ mode: 'streaming' });
env.createTemporarySystemFunction('split_tags', new SplitTags());
env.createTemporarySystemFunction('longest_tag', new LongestTag());
env.executeSql(`
  CREATE TABLE clicks (
    id BIGINT,
    user_id INT,
    tag_pick INT,
    ts AS TO_TIMESTAMP_LTZ(id * 500, 3),
    tags AS CASE tag_pick WHEN 0 THEN 'home' WHEN 1 THEN 'shoes sale' WHEN 2 THEN 'sale kids shoes' ELSE 'checkout' END,
    WATERMARK FOR ts AS ts - INTERVAL '1' SECOND
  ) WITH (
    'connector' = 'datagen', 'rows-per-second' = '200', 'number-of-rows' = '400',
    'fields.id.kind' = 'sequence', 'fields.id.start' = '0', 'fields.id.end' = '399',
    'fields.user_id.min' = '1', 'fields.user_id.max' = '3',
    'fields.tag_pick.min' = '0', 'fields.tag_pick.max' = '3'
  )`);

/** The result rows as declared by `select<…>`: TIMESTAMP_LTZ(3) is epoch ms, COUNT a bigint. */
type UserWindow = {
  user_id: number;
  window_start: number;
  tagged: bigint;
  longest: string | null;
};

const perUser = env
  .from('clicks')
  .joinLateral(call('split_tags', $('tags')))
  .window(Tumble.over(lit(10).seconds()).on($('ts')).as('w'))
  .groupBy($('w'), $('user_id'))
  .select<UserWindow>(
    $('user_id'),
    $('w').start().as('window_start'),
    $('tag').count.as('tagged'),
    call('longest_tag', $('tag')).as('longest'),
  );

console.log(perUser.explain().split('\n== Job Graph ==')[0]);
let printed = 0;
// Leaving the loop cancels the job.
for await (const row of perUser.collect()) {
  console.log(
    `user ${row.user_id}  ${new Date(row.window_start).toISOString()}  tagged=${row.tagged}  longest=${row.longest}`,
  );
  if (++printed === 20) break;
}
