#!/usr/bin/env node
// Launcher: the only place that sets the process exit code.
import { run } from '../dist/main.js';

process.exitCode = await run(process.argv.slice(2));
