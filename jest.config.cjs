/** Three projects: unit (no network), integration (starts its own emulators), e2e (the local drill). */
const transform = { '^.+\\.ts$': 'ts-jest' }; // transpile only: tsconfig sets isolatedModules; typecheck is its own step
const project = (name, extra = {}) => ({
  displayName: name,
  testEnvironment: 'node',
  transform,
  testMatch: [`<rootDir>/test/${name}/**/*.test.ts`],
  ...extra,
});
module.exports = {
  projects: [
    project('unit'),
    project('integration', { testTimeout: 120_000 }),
    project('e2e', { testTimeout: 300_000 }),
  ],
};
