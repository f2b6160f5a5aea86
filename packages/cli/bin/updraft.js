#!/usr/bin/env node
// The `updraft` command. npm links a package's bin when it installs, before `prepare` has built the workspace, and
// links no file that is not there yet: so the command is this file, kept in the repository, which runs the built CLI.
import { existsSync } from 'node:fs';

const cli = new URL('../dist/bin.js', import.meta.url);
if (!existsSync(cli)) {
  process.stderr.write(`updraft: the CLI is not built (${cli.pathname} is missing): run \`npm run build\` at the repository root\n`);
  process.exit(1);
}
await import(cli.href);
