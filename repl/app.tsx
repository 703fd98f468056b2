// The ink view of the shell: finished output goes to the scrollback (<Static>), below it either the prompt
// (highlighted, with the cursor, completions and the Ctrl-R search line) or the running query's live view and
// status line. All behaviour lives in Shell; this file only draws it and forwards keys.
import { Box, Static, Text, useInput, usePaste, useStdout } from 'ink';
import { useEffect, useState, type ReactNode } from 'react';
import { COLORS, highlight } from './highlight.js';
import { Shell, type LogEntry, type RunView } from './shell.js';

export function App({ shell }: { readonly shell: Shell }): ReactNode {
  const [, setTick] = useState(0);
  useEffect(() => shell.subscribe(() => setTick((t) => t + 1)), [shell]);
  useInput((input, key) => shell.onKey(input, key));
  // Bracketed paste: a pasted multi-line statement lands in the editor whole instead of as key presses.
  usePaste((text) => shell.onPaste(text));
  return (
    <>
      <Static items={shell.log}>{(entry: LogEntry) => <LogLine key={entry.id} entry={entry} />}</Static>
      {shell.exited ? null : shell.run !== null ? <LiveView shell={shell} run={shell.run} /> : shell.busy ? null : <Prompt shell={shell} />}
    </>
  );
}

function LogLine({ entry }: { readonly entry: LogEntry }): ReactNode {
  switch (entry.kind) {
    case 'input':
      return (
        <Box flexDirection="column">
          <Highlighted text={entry.text} cursor={null} />
        </Box>
      );
    case 'error':
      return <Text color="red">{entry.text}</Text>;
    case 'info':
      return <Text dimColor>{entry.text}</Text>;
    case 'table':
      return <Text wrap="truncate-end">{entry.text}</Text>;
    case 'output':
      return <Text>{entry.text}</Text>;
  }
}

interface Piece {
  readonly text: string;
  readonly color: string | undefined;
  readonly cursor: boolean;
}

/** Highlighted lines with their prompts; the cursor is drawn as an inverse character. */
function Highlighted({ text, cursor }: { readonly text: string; readonly cursor: number | null }): ReactNode {
  const lines: Piece[][] = [[]];
  let at = 0;
  const push = (t: string, color: string | undefined, isCursor: boolean): void => {
    const parts = t.split('\n');
    parts.forEach((p, i) => {
      if (i > 0) lines.push([]);
      if (p !== '') (lines[lines.length - 1] as Piece[]).push({ text: p, color, cursor: isCursor });
    });
  };
  for (const seg of highlight(text)) {
    const color = COLORS[seg.kind];
    const segEnd = at + seg.text.length;
    if (cursor !== null && cursor >= at && cursor < segEnd) {
      const i = cursor - at;
      push(seg.text.slice(0, i), color, false);
      const ch = seg.text[i] as string;
      if (ch === '\n') {
        push(' ', color, true);
        push(seg.text.slice(i), color, false);
      } else {
        push(ch, color, true);
        push(seg.text.slice(i + 1), color, false);
      }
    } else {
      push(seg.text, color, false);
    }
    at = segEnd;
  }
  if (cursor !== null && cursor >= text.length) push(' ', undefined, true);
  return (
    <Box flexDirection="column">
      {lines.map((pieces, n) => (
        <Text key={n}>
          <Text color="green">{n === 0 ? Shell.PROMPT : Shell.CONTINUATION}</Text>
          {pieces.map((p, j) => (
            <Text key={j} {...(p.color !== undefined ? { color: p.color } : {})} inverse={p.cursor}>
              {p.text}
            </Text>
          ))}
        </Text>
      ))}
    </Box>
  );
}

function Prompt({ shell }: { readonly shell: Shell }): ReactNode {
  const { stdout } = useStdout();
  const search = shell.search;
  if (search !== null) {
    const match = search.index >= 0 ? (shell.historyAt(search.index) ?? '') : '';
    return (
      <Box flexDirection="column">
        <Text>
          <Text color="yellow">(reverse-i-search)`{search.query}&apos;: </Text>
          {match.split('\n').join(' ')}
        </Text>
      </Box>
    );
  }
  return (
    <Box flexDirection="column">
      <Highlighted text={shell.editor.text} cursor={shell.editor.cursor} />
      {shell.completions.length > 0 ? <Text color="cyan">{formatColumns(shell.completions, (stdout as NodeJS.WriteStream).columns ?? 80)}</Text> : null}
      {shell.notice !== null ? <Text dimColor>{shell.notice}</Text> : null}
    </Box>
  );
}

/** Completion candidates in columns, at most 4 lines of them. */
function formatColumns(items: readonly string[], width: number): string {
  const w = Math.min(40, Math.max(...items.map((i) => i.length)) + 2);
  const perLine = Math.max(1, Math.floor(width / w));
  const lines: string[] = [];
  for (let i = 0; i < items.length && lines.length < 4; i += perLine) lines.push(items.slice(i, i + perLine).map((s) => s.padEnd(w)).join('').trimEnd());
  const shown = Math.min(items.length, lines.length * perLine);
  if (shown < items.length) lines.push(`… and ${items.length - shown} more`);
  return lines.join('\n');
}

function LiveView({ shell, run }: { readonly shell: Shell; readonly run: RunView }): ReactNode {
  return (
    <Box flexDirection="column">
      {run.mode === 'tableau' ? null : <Text wrap="truncate-end">{shell.viewLines(run).join('\n')}</Text>}
      <Text color={run.finished ? 'green' : 'yellow'}>{shell.statusLine(run)}</Text>
      <Text dimColor>{shell.keyHint(run)}</Text>
    </Box>
  );
}
