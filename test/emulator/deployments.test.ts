import { afterEach, describe, expect, it } from 'vitest';
import type { OptionSpec } from '../../src/cli/command.js';
import emulatorCommand, { emulatorOptions } from '../../src/commands/emulator.js';
import { startEmulator, type Emulator, type EmulatorOptions } from '../../src/emulator/server.js';
import { deploymentUnavailable } from '../../src/sora/http.js';
import { SoraDeploymentUnavailableError, SoraNotFoundError, soraClientFor } from '../../src/sora/index.js';

const KEY = 'deployments-key';
const open: Emulator[] = [];
afterEach(async () => {
  while (open.length) await open.pop()!.close();
});

async function start(o: EmulatorOptions = {}) {
  const em = await startEmulator({ apiKey: KEY, jobMs: 100, early404Ms: 0, ...o });
  open.push(em);
  return em;
}

async function post(em: Emulator, path: string, body: unknown) {
  const res = await fetch(`${em.url}/openai/v1${path}`, {
    method: 'POST',
    headers: { 'api-key': KEY, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  return { status: res.status, json: (await res.json()) as any };
}

const client = (em: Emulator, deployment: string, version: 'sora-1' | 'sora-2') =>
  soraClientFor({ name: 'p', endpoint: em.url, deployment, sora_version: version, credential: 'api-key', api_key: KEY, api_key_env: null }, {});

describe('the emulator plays missing and retired deployments', () => {
  it('answers a create on a missing deployment 404 and on a retired one 410, before validating anything, creating nothing', async () => {
    const em = await start({ deployments: ['sora-2', 'sora'], retired: ['sora-old'] });
    const missing = await post(em, '/videos', { model: 'sora-2x', prompt: 'a boat', size: '999x1', seconds: '4' });
    expect(missing.status).toBe(404);
    expect(missing.json.error).toMatchObject({ code: 'DeploymentNotFound', type: 'video_generation_user_error' });
    expect(missing.json.error.message).toMatch(/^The API deployment 'sora-2x' for this resource does not exist/);
    const retired = await post(em, '/video/generations/jobs?api-version=preview', { model: 'sora-old', prompt: 'a cat', width: 1, height: 1 });
    expect(retired.status).toBe(410);
    expect(retired.json).toMatchObject({ code: 'ModelDeprecated', type: 'video_generation_user_error' });
    const fine = await post(em, '/videos', { model: 'sora-2', prompt: 'a boat', size: '720x1280', seconds: '4' });
    expect(fine.status).toBe(200);
    expect(em.stats.creates).toEqual({ 'sora-1': 0, 'sora-2': 1 });
  });

  it('a deployment retired while its videos exist: they still list, show and download; only creates are refused', async () => {
    const retired: string[] = [];
    const em = await start({ retired });
    const c = client(em, 'sora-2', 'sora-2');
    const made = await c.create({ prompt: 'a boat' });
    retired.push('sora-2'); // read at each create, as a resource retires a deployment while it runs
    await expect(c.create({ prompt: 'another boat' })).rejects.toBeInstanceOf(SoraDeploymentUnavailableError);
    const listed = await c.list({ limit: 5 });
    expect(listed.jobs.map((j) => j.id)).toEqual([made.id]);
    await expect(c.get(made.id)).resolves.toMatchObject({ id: made.id });
    expect(em.stats.creates['sora-2']).toBe(1);
  });

  it('octo emulator --deployment and --retired are repeatable', () => {
    const option = (flags: string) => {
      const found = (emulatorCommand.options as readonly OptionSpec[] | undefined)?.find((o) => o.flags === flags);
      if (!found?.parse) throw new Error(`no ${flags}`);
      return found.parse;
    };
    const retired = option('--retired <deployment>');
    expect(retired('b', retired('a', undefined))).toEqual(['a', 'b']);
    expect(() => option('--deployment <name[=model]>')(' ', undefined)).toThrow(/--deployment needs a deployment name/);
    expect(emulatorOptions({ deployment: ['a', 'b'], retired: ['c'] })).toMatchObject({ deployments: ['a', 'b'], retired: ['c'] });
  });
});

describe('the client tells a missing or retired deployment from a typo in the endpoint or an outage', () => {
  it('throws SoraDeploymentUnavailableError naming the deployment, on both API families', async () => {
    const em = await start({ deployments: ['sora-2'], retired: ['sora-old'] });
    const missing = await client(em, 'sora-2x', 'sora-2')
      .create({ prompt: 'a boat' })
      .catch((e) => e);
    expect(missing).toBeInstanceOf(SoraDeploymentUnavailableError);
    expect(missing).toMatchObject({ reason: 'missing', deployment: 'sora-2x', status: 404, code: 'not_found' });
    expect(missing.message).toBe("POST /videos: deployment 'sora-2x' does not exist on this resource (404 DeploymentNotFound)");
    const retired = await client(em, 'sora-old', 'sora-1')
      .create({ prompt: 'a cat', size: '480x480' })
      .catch((e) => e);
    expect(retired).toBeInstanceOf(SoraDeploymentUnavailableError);
    expect(retired).toMatchObject({ reason: 'retired', status: 410 });
    expect(retired.message).toContain('is retired');
    // A path that is not the API (a typo in the endpoint) stays a plain 404.
    const typo = await soraClientFor(
      {
        name: 'p',
        endpoint: `${em.url}/openai/v1/vidoes`,
        deployment: 'sora-2',
        sora_version: 'sora-2',
        credential: 'api-key',
        api_key: KEY,
        api_key_env: null,
      },
      {},
    )
      .get('video_x')
      .catch((e) => e);
    expect(typo).toBeInstanceOf(SoraNotFoundError);
    expect(typo).not.toBeInstanceOf(SoraDeploymentUnavailableError);
  });

  it('reads the retired shapes others have seen, and not every 404 or "deprecated" as one', () => {
    expect(deploymentUnavailable(410, { code: 'ModelDeprecated', message: 'The model associated with the deployment is deprecated' })?.reason).toBe('retired');
    expect(deploymentUnavailable(404, { message: 'The model `sora-2` has been deprecated' })?.reason).toBe('retired');
    expect(deploymentUnavailable(404, { code: 'DeploymentNotFound', message: 'The API deployment for this resource does not exist.' })).toEqual({
      reason: 'missing',
      deployment: undefined,
    });
    expect(deploymentUnavailable(404, { code: '404', message: 'Resource not found' })).toBeNull();
    expect(deploymentUnavailable(400, { code: 'invalid_value', message: "the parameter 'n' is deprecated" })).toBeNull();
    expect(deploymentUnavailable(503, { message: 'Service unavailable' })).toBeNull();
  });
});
