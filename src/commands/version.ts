import { defineCommand } from '../cli/command.js';
import { octoVersion } from '../core/version.js';
import { message } from '../output/result.js';

export default defineCommand({
  async run() {
    const version = octoVersion();
    return message(version, { version, node: process.versions.node });
  },
});
