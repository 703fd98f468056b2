// Global setup of the browser suite: a Chromium (installed with apt-get where missing) and a built dashboard.
// Without Chromium the suite skips, saying so in one line; the path reaches the tests through `provide`.
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import type { TestProject } from 'vitest/node';
import { findChromium, installChromium } from './chromium.js';

declare module 'vitest' {
  export interface ProvidedContext {
    chromium: string | null;
    chromiumSkip: string;
  }
}

export default function setup(project: TestProject): void {
  let path = findChromium();
  if (path === null) {
    // An explicit CHROMIUM_PATH that does not exist means "this browser or none": no install attempt.
    const pinned = process.env.CHROMIUM_PATH;
    const why =
      pinned !== undefined && pinned !== '' ? `CHROMIUM_PATH=${pinned} does not exist` : installChromium();
    path = findChromium();
    if (path === null) {
      const reason = why ?? 'no chromium';
      process.stdout.write(`test:browser: SKIPPED — ${reason}\n`);
      project.provide('chromium', null);
      project.provide('chromiumSkip', reason);
      return;
    }
  }
  project.provide('chromium', path);
  project.provide('chromiumSkip', '');
  // The suite tests the bundle the REST server serves: build it unless `npm run build` just did.
  if (!existsSync('dist/dashboard/index.html') || process.env.FRESHET_DASHBOARD_REBUILD !== '0') {
    // FRESHET_DASHBOARD_REBUILD=0 reuses the last build (quicker reruns while writing tests).
    execFileSync('npx', ['vite', 'build', '--config', 'dashboard/vite.config.ts'], { stdio: 'inherit' });
  }
}
