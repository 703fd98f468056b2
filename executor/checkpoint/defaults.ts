// Where checkpoints go when execution.checkpointing.dir is not set: the user's data directory (XDG on Linux),
// not the temp directory, because checkpoints must survive a reboot to be worth taking.
import os from 'node:os';
import path from 'node:path';

export function defaultCheckpointDir(): string {
  const xdg = process.env['XDG_DATA_HOME'];
  const base = xdg !== undefined && xdg !== '' ? xdg : path.join(os.homedir(), '.local', 'share');
  return path.join(base, 'freshet', 'checkpoints');
}
