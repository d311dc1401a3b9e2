#!/usr/bin/env node
// The `flowctl` command. Installed from npm, the built CLI sits beside this file (dist/); inside a
// checkout of the repository (this folder is packages/flowctl, linked by the npm workspace) it is
// the checkout's own build, made on first use.
const { existsSync } = require('node:fs');
const { join } = require('node:path');

const packaged = join(__dirname, '..', 'dist', 'apps', 'flowctl', 'src', 'main.js');
if (existsSync(packaged)) require(packaged);
else require(join(__dirname, '..', '..', '..', 'bin', 'flowctl.js'));
