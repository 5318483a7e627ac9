/**
 * The project's per-test time limit (jest.config.cjs). Jest reads `testTimeout` from the global configuration only,
 * so a project's own `testTimeout` is silently ignored: the limit comes in as a project global instead.
 */
const limit = (globalThis as { SPOTON_TEST_TIMEOUT_MS?: unknown }).SPOTON_TEST_TIMEOUT_MS;
if (typeof limit === 'number' && limit > 0) jest.setTimeout(limit);
