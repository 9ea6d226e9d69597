#!/usr/bin/env node
import { main } from '../dist/octo.js';

await main();
