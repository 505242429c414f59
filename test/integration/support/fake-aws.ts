import { vi } from 'vitest';

/** The region the suite's stacks live in unless a test names another. */
export const TEST_REGION = 'us-east-1';

/**
 * What every process of the suite believes about AWS: fake credentials that moto accepts, and none
 * of the developer's own AWS setup (profiles, config files, instance metadata), so a run on a
 * laptop signed in to a real account cannot reach it. An undefined value means "not set".
 */
export const FAKE_AWS: Readonly<Record<string, string | undefined>> = {
  AWS_ACCESS_KEY_ID: 'testing',
  AWS_SECRET_ACCESS_KEY: 'testing',
  AWS_SESSION_TOKEN: undefined,
  AWS_PROFILE: undefined,
  AWS_CONFIG_FILE: '/nonexistent/aws-config',
  AWS_SHARED_CREDENTIALS_FILE: '/nonexistent/aws-credentials',
  AWS_EC2_METADATA_DISABLED: 'true',
};

/**
 * Gives this test process the fake credentials. The tool's clients (aws/clients.ts) take no
 * credentials as an option: they find them through the SDK's default chain, as the CLI does, and
 * the first place that chain looks is the environment. Returns the undo.
 */
export function stubFakeAwsEnv(): () => void {
  for (const [name, value] of Object.entries(FAKE_AWS)) vi.stubEnv(name, value);
  return () => vi.unstubAllEnvs();
}
