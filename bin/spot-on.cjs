#!/usr/bin/env node
// The `spot-on` command. TypeScript sources run through tsx so the CLI needs no build step after `npm install`.
require('tsx/cjs');
require('../cli/main.ts').main();
