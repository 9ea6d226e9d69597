import type { ToolSpec } from '../tool.js';
import budget from './budget.js';
import cancel from './cancel.js';
import costs from './costs.js';
import estimate from './estimate.js';
import generate from './generate.js';
import jobStatus from './job-status.js';
import listVideos from './list-videos.js';
import wait from './wait.js';

/** Every tool `octo mcp` serves, in the order tools/list shows them. */
// biome-ignore lint/suspicious/noExplicitAny: each tool's own argument type was checked where it was defined
export const TOOLS: ToolSpec<any, any>[] = [estimate, generate, jobStatus, wait, cancel, listVideos, costs, budget];
