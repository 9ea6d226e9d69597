import { describe, expect, it } from 'vitest';
import { escapeControl } from '../../src/output/escape.js';
import { render } from '../../src/output/render.js';
import { rows } from '../../src/output/result.js';
import { pathSegment } from '../../src/sora/client.js';
import { isLoopbackHost } from '../../src/core/net.js';
import { normalizeEndpoint } from '../../src/sora/endpoint.js';
import { assetFileBase, safeFileName } from '../../src/storage/local-files.js';
import { PassThrough } from 'node:stream';

describe('escapeControl', () => {
  it('shows ESC, BEL, C1 and bidi overrides as visible escapes; keeps ordinary text', () => {
    expect(escapeControl('a \u001b]0;pwned\u0007 b')).toBe('a \\e]0;pwned\\x07 b');
    expect(escapeControl('\u009b31m x \u202e y \u007f')).toBe('\\x9b31m x \\u202e y \\x7f');
    expect(escapeControl('line1\nline2\ttab\r')).toBe('line1\\nline2\\ttab\\r');
    expect(escapeControl('line1\nline2\ttab\r', { keepLines: true })).toBe('line1\nline2\ttab\\r');
    expect(escapeControl('café — 東京 🎬')).toBe('café — 東京 🎬');
  });

  it('tables escape, --json and CSV stay exact', async () => {
    const out = () => {
      const s = new PassThrough() as PassThrough & { isTTY?: boolean; text: () => string };
      let t = '';
      s.on('data', (c) => (t += c));
      s.text = () => t;
      return s;
    };
    const data = rows([{ prompt: 'x\u001b[2Jy' }], [{ key: 'prompt', header: 'prompt' }]);
    const tty = Object.assign(out(), { isTTY: true });
    await render(data, tty, { json: false, csv: false, color: false });
    expect(tty.text()).toContain('x\\e[2Jy');
    const json = out();
    await render(data, json, { json: true, csv: false, color: false });
    expect(JSON.parse(json.text())[0].prompt).toBe('x\u001b[2Jy');
    const csv = out();
    await render(data, csv, { json: false, csv: true, color: false });
    expect(csv.text()).toContain('x\u001b[2Jy');
  });
});

describe('ids from the service', () => {
  it('become one encoded URL segment; . and .. are refused', () => {
    expect(pathSegment('../../escape/pwn')).toBe('..%2F..%2Fescape%2Fpwn');
    expect(pathSegment('video_123')).toBe('video_123');
    for (const bad of ['', '.', '..', '%2e%2E', '.%2e']) expect(() => pathSegment(bad)).toThrow(/cannot be used in a URL/);
  });

  it('become a plain file name directly inside the folder', () => {
    expect(safeFileName('../../escape/pwn')).toBe('___.._escape_pwn');
    expect(safeFileName('..')).toBe('__');
    expect(safeFileName('')).toBe('video');
    expect(safeFileName('gen_01abc-XYZ.1')).toBe('gen_01abc-XYZ.1');
    expect(safeFileName('a\u0000b/c\\d')).toBe('a_b_c_d');
    expect(assetFileBase('/tmp/out/', '/etc/passwd')).toBe('/tmp/out/_etc_passwd');
  });
});

describe('endpoints', () => {
  it('http only for this machine', () => {
    for (const ok of ['http://127.0.0.1:8787', 'http://localhost:1', 'http://[::1]:2', 'http://127.1/', 'https://x.openai.azure.com']) {
      expect(() => normalizeEndpoint(ok)).not.toThrow();
    }
    for (const bad of ['http://x.openai.azure.com', 'http://10.0.0.1', 'http://169.254.169.254', 'http://127.0.0.1.nip.io']) {
      expect(() => normalizeEndpoint(bad)).toThrow(/must use https/);
    }
    expect(isLoopbackHost('LOCALHOST')).toBe(true);
    expect(isLoopbackHost('example.com')).toBe(false);
  });
});
