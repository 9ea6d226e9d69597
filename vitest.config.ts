import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts', 'src/**/*.test.ts'],
    globalSetup: ['test/support/global-setup.ts'],
    pool: 'forks',
    maxWorkers: 2,
    testTimeout: 60_000,
    hookTimeout: 120_000,
    // Commands read these; a developer's own settings must never leak into a test.
    env: {
      OCTO_DATABASE_URL: '',
      DATABASE_URL: '',
      OCTO_TOKEN: '',
      OCTO_PROFILE: '',
      AZURE_OPENAI_API_KEY: '',
      AZURE_OPENAI_ENDPOINT: '',
      OCTO_STORAGE_URL: '',
      AZURE_STORAGE_CONNECTION_STRING: '',
      NO_COLOR: '1',
      // No credential chain may reach the network from a test: no managed identity in the chain,
      // instance metadata (were it asked) a closed loopback port, and never a developer's keyring.
      AZURE_TOKEN_CREDENTIALS: 'dev',
      AZURE_POD_IDENTITY_AUTHORITY_HOST: 'http://127.0.0.1:9',
      OCTO_KEYRING: 'off',
    },
  },
});
