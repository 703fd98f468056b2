// Finds a Chromium for playwright-core's executablePath: $CHROMIUM_PATH, then Debian's package. The global setup
// installs the package (apt-get) where it is missing and we are root, as test/repl does for tmux.
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';

const CANDIDATES = ['/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome'];

export function findChromium(): string | null {
  const env = process.env.CHROMIUM_PATH;
  if (env !== undefined && env !== '') return existsSync(env) ? env : null;
  return CANDIDATES.find((p) => existsSync(p)) ?? null;
}

/** Tries `apt-get install chromium`; returns why it could not, or null on success. */
export function installChromium(): string | null {
  if (process.getuid?.() !== 0) return 'not root, so apt-get cannot install chromium';
  try {
    execFileSync('apt-get', ['update', '-qq'], { stdio: 'ignore', timeout: 180_000 });
    execFileSync('apt-get', ['install', '-y', '-qq', 'chromium'], {
      stdio: 'ignore',
      timeout: 600_000,
      env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
    });
    return findChromium() === null ? 'apt-get installed no chromium binary' : null;
  } catch (e) {
    return `apt-get install chromium failed: ${(e as Error).message.split('\n')[0]}`;
  }
}
