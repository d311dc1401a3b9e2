#!/usr/bin/env node
// `npx flowctl` from a clone: run the built CLI, building it first if this is a fresh checkout.
const { existsSync } = require('node:fs');
const { join } = require('node:path');
const { execFileSync } = require('node:child_process');

const root = join(__dirname, '..');
const entry = join(root, 'dist', 'apps', 'flowctl', 'src', 'main.js');
if (!existsSync(entry)) {
  execFileSync(process.execPath, [join(root, 'scripts', 'build.mjs')], { stdio: ['ignore', 'ignore', 'inherit'] });
}
require(entry);
