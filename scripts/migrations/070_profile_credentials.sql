-- Which kind of credential a profile uses (octo `profile add --auth`, `--api-key-env`):
--   api-key      the key in api_key (the web app's way; the default, so its rows keep working)
--   api-key-env  only the NAME of an environment variable, in api_key_env; the key stays out of the database
--   azure-cli    Entra ID tokens from `az account get-access-token`, never stored
--   entra        Entra ID tokens from the standard @azure/identity chain, never stored
-- Keyless rows keep api_key = '' (the column is NOT NULL in the web app's schema).
ALTER TABLE profiles_config ADD COLUMN IF NOT EXISTS credential VARCHAR(20) NOT NULL DEFAULT 'api-key';
ALTER TABLE profiles_config ADD COLUMN IF NOT EXISTS api_key_env VARCHAR(255);

DO $$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_constraint WHERE conname = 'profiles_config_credential_kind') THEN
    ALTER TABLE profiles_config ADD CONSTRAINT profiles_config_credential_kind CHECK (
      credential IN ('api-key', 'api-key-env', 'azure-cli', 'entra')
      AND (credential <> 'api-key-env' OR api_key_env ~ '^[A-Za-z_][A-Za-z0-9_]*$')
    );
  END IF;
END
$$;
