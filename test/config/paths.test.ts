import { homedir } from 'node:os';
import { describe, expect, it } from 'vitest';
import { configDir, dataDir } from '../../src/config/paths.js';

describe('config and data folders', () => {
  it('follow the env they are given: OCTO_*, then XDG_*, then its HOME, never the process home behind its back', () => {
    expect(dataDir({ OCTO_DATA_DIR: '/d' })).toBe('/d');
    expect(dataDir({ XDG_DATA_HOME: '/x', HOME: '/h' })).toBe('/x/octo');
    expect(dataDir({ HOME: '/h' })).toBe('/h/.local/share/octo');
    expect(configDir({ HOME: '/h' })).toBe('/h/.config/octo');
    expect(configDir({ OCTO_CONFIG_DIR: '/c', HOME: '/h' })).toBe('/c');
    expect(dataDir({})).toBe(`${homedir()}/.local/share/octo`);
  });
});
