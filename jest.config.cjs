/** Three projects: unit (no network), integration (starts its own emulators), e2e (the local drill). */
const transform = { '^.+\\.ts$': 'ts-jest' }; // transpile only: tsconfig sets isolatedModules; typecheck is its own step
/**
 * `timeoutMs`: the project's per-test limit. Jest takes `testTimeout` from the global configuration only (a project's
 * is ignored), so the setup file sets it from a project global.
 */
const project = (name, timeoutMs) => ({
  displayName: name,
  testEnvironment: 'node',
  transform,
  testMatch: [`<rootDir>/test/${name}/**/*.test.ts`],
  ...(timeoutMs === undefined ? {} : { globals: { SPOTON_TEST_TIMEOUT_MS: timeoutMs }, setupFilesAfterEnv: ['<rootDir>/test/support/test-timeout.ts'] }),
});
module.exports = {
  projects: [project('unit'), project('integration', 120_000), project('e2e', 300_000)],
};
