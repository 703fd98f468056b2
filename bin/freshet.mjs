#!/usr/bin/env node
// The `freshet` command. Checks the Node version first (npm scripts and npx in the checkout bring a Node 22
// from the `node` dev dependency), then runs the compiled CLI from dist/.
const [major] = process.versions.node.split('.').map(Number);
if (major < 22) {
  process.stderr.write(
    `freshet needs Node.js 22 or newer, but this is Node.js ${process.versions.node}.\n` +
      'In a checkout of Freshet, use `npx freshet` or `npm start`, which run on the Node 22 that `npm install` brings.\n',
  );
  process.exit(2);
}
try {
  await import('../dist/repl/main.js');
} catch (e) {
  if (e && e.code === 'ERR_MODULE_NOT_FOUND' && String(e.message).includes('dist/repl/main.js')) {
    process.stderr.write('freshet: the compiled code is missing; run `npm install` (or `npm run build`) first.\n');
    process.exit(2);
  }
  throw e;
}
