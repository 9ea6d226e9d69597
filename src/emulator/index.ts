export { startEmulator } from './server.js';
export type { Emulator, EmulatorOptions, EmulatorStats } from './types.js';
export { mp4Body, jpegBody, webpBody, topLevelBoxes } from './media.js';
