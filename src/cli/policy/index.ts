import type { Command } from 'commander';
import type { ActionFactory } from '../main.js';

// Not yet built: this group registers no verbs.
export function register(_program: Command, _action: ActionFactory): void {}
