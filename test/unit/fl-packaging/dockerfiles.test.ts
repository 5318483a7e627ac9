import { join } from 'node:path';
import {
  CHART_DIR,
  DOCKER_DIR,
  type Dockerfile,
  type Stage,
  at,
  execForm,
  instructionsOf,
  loadDocument,
  parseDockerfile,
  readText,
} from './helpers';

/**
 * The Dockerfiles, read line by line (no Docker daemon exists here to build them): base images, the libtensorflow
 * mirror setting, non-root user, exec-form entry point, stop signal, and that the ignore files let through every
 * path the Dockerfiles copy from the build context (the repository root).
 */

const gpu = parseDockerfile(readText(join(DOCKER_DIR, 'Dockerfile.gpu')));
const cpu = parseDockerfile(readText(join(DOCKER_DIR, 'Dockerfile.cpu')));
const values = loadDocument(join(CHART_DIR, 'values.yaml'));

function finalStage(dockerfile: Dockerfile): Stage {
  const stage = dockerfile.stages[dockerfile.stages.length - 1];
  if (!stage) throw new Error('no FROM');
  return stage;
}

function single(stage: Stage, keyword: string): string {
  const found = instructionsOf(stage, keyword);
  if (found.length !== 1) throw new Error(`expected one ${keyword} in stage ${stage.name ?? stage.from}, found ${found.length}`);
  return found[0]?.args ?? '';
}

function stageRunning(dockerfile: Dockerfile, pattern: RegExp): Stage {
  const stage = dockerfile.stages.find((candidate) => instructionsOf(candidate, 'RUN').some((run) => pattern.test(run.args)));
  if (!stage) throw new Error(`no stage runs ${pattern}`);
  return stage;
}

/** Copies from the build context: `COPY a b c dest`, skipping `--from=` copies and `--chown`-style flags. */
function contextSources(dockerfile: Dockerfile): string[] {
  return dockerfile.stages.flatMap((stage) =>
    instructionsOf(stage, 'COPY')
      .filter((copy) => !/--from=/.test(copy.args))
      .flatMap((copy) => copy.args.split(/\s+/).filter((word) => !word.startsWith('--')).slice(0, -1)),
  );
}

/** Whether a .dockerignore keeps a path, with its last-match-wins rules (parents matching count, `!` re-includes). */
function keptByIgnoreFile(ignoreFile: string, path: string): boolean {
  const patterns = ignoreFile
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('#'));
  const toRegExp = (pattern: string): RegExp => {
    let source = '';
    for (let index = 0; index < pattern.length; index += 1) {
      if (pattern.startsWith('**/', index)) {
        source += '(?:.*/)?';
        index += 2;
      } else if (pattern.startsWith('**', index)) {
        source += '.*';
        index += 1;
      } else if (pattern[index] === '*') {
        source += '[^/]*';
      } else if (pattern[index] === '?') {
        source += '[^/]';
      } else {
        source += (pattern[index] ?? '').replace(/[.+^${}()|[\]\\]/g, '\\$&');
      }
    }
    return new RegExp(`^${source}$`);
  };
  const prefixes = path.split('/').map((_, index, parts) => parts.slice(0, index + 1).join('/'));
  let kept = true;
  for (const raw of patterns) {
    const negated = raw.startsWith('!');
    const pattern = toRegExp((negated ? raw.slice(1) : raw).replace(/^\//, ''));
    if (prefixes.some((prefix) => pattern.test(prefix))) kept = negated;
  }
  return kept;
}

describe.each([
  ['Dockerfile.gpu', gpu],
  ['Dockerfile.cpu', cpu],
])('%s', (name, dockerfile) => {
  const runtime = finalStage(dockerfile);

  it('runs as the non-root numeric user the chart runs as', () => {
    const user = single(runtime, 'USER');
    expect(user).toMatch(/^\d+:\d+$/);
    const [uid, gid] = user.split(':').map(Number);
    expect(uid).not.toBe(0);
    expect(uid).toBe(at(values, ['podSecurityContext', 'runAsUser']));
    expect(gid).toBe(at(values, ['podSecurityContext', 'runAsGroup']));
  });

  it('starts node under tini in exec form, so SIGTERM reaches it, and stops with SIGTERM', () => {
    expect(execForm(single(runtime, 'ENTRYPOINT'))).toStrictEqual(['/usr/bin/tini', '--', 'node', '--import', 'tsx']);
    expect(execForm(single(runtime, 'CMD'))).toEqual([expect.stringMatching(/^fl-training\/(trainer|aggregator)\/main\.ts$/)]);
    expect(single(runtime, 'STOPSIGNAL')).toBe('SIGTERM');
    expect(instructionsOf(runtime, 'RUN').some((run) => /\btini\b/.test(run.args))).toBe(true);
  });

  it('has an exec-form HEALTHCHECK on /healthz for docker run', () => {
    const healthcheck = /^(?:--\S+\s+)*CMD\s+(\[.*\])$/.exec(single(runtime, 'HEALTHCHECK'));
    expect(execForm(healthcheck?.[1] ?? '')?.join(' ')).toContain('/healthz');
  });

  it('installs production dependencies from the lockfile with npm ci, in a build stage', () => {
    const deps = stageRunning(dockerfile, /\bnpm ci\b/);
    expect(deps).not.toBe(runtime);
    expect(instructionsOf(deps, 'RUN').find((run) => /\bnpm ci\b/.test(run.args))?.args).toMatch(/--omit=dev/);
    expect(instructionsOf(deps, 'COPY').map((copy) => copy.args)).toContain('package.json package-lock.json ./');
  });

  it('copies only runtime files into the final image', () => {
    const copies = instructionsOf(runtime, 'COPY').map((copy) => copy.args);
    expect(copies).toContain('--from=deps /app/node_modules ./node_modules');
    expect(copies.some((args) => /^\.\s|\s\.\s/.test(args))).toBe(false);
    expect(instructionsOf(runtime, 'RUN').some((run) => /\bnpm\b/.test(run.args))).toBe(false);
  });

  it(`lets through every path it copies from the context (${name}.dockerignore)`, () => {
    const ignoreFile = readText(join(DOCKER_DIR, `${name}.dockerignore`));
    for (const source of contextSources(dockerfile)) expect([source, keptByIgnoreFile(ignoreFile, source)]).toStrictEqual([source, true]);
    for (const excluded of ['node_modules/x', 'cdk/app.ts', 'test/unit/a.test.ts', 'fl-training/chart/values.yaml', '.git/HEAD']) {
      expect([excluded, keptByIgnoreFile(ignoreFile, excluded)]).toStrictEqual([excluded, false]);
    }
  });
});

describe('Dockerfile.gpu', () => {
  it('runs on CUDA 11.2 + cuDNN 8 (what libtensorflow 2.9.1 needs) and takes Node 22 from the official image', () => {
    expect(finalStage(gpu).from).toBe('nvidia/cuda:11.2.2-cudnn8-runtime-ubuntu20.04');
    expect(gpu.stages.map((stage) => stage.from)).toContain('node:22-bookworm-slim');
    expect(instructionsOf(finalStage(gpu), 'COPY').map((copy) => copy.args)).toContain('--from=node /usr/local/bin/node /usr/local/bin/node');
  });

  it('builds tfjs-node-gpu on the same base it runs on, with TFJS_NODE_CDN_STORAGE as build ARG and ENV', () => {
    const deps = stageRunning(gpu, /\bnpm ci\b/);
    expect(deps.from).toBe(finalStage(gpu).from);
    expect(instructionsOf(deps, 'ARG').map((arg) => arg.args)).toContain('TFJS_NODE_CDN_STORAGE=""');
    expect(instructionsOf(deps, 'ENV').map((env) => env.args)).toContain('TFJS_NODE_CDN_STORAGE=${TFJS_NODE_CDN_STORAGE}');
    const install = instructionsOf(deps, 'RUN').find((run) => /\bnpm ci\b/.test(run.args))?.args ?? '';
    expect(install).not.toMatch(/--ignore-scripts|--omit=optional/);
    expect(install).toContain('tfjs-node-gpu/lib/napi-v*/tfjs_binding.node');
  });
});

describe('Dockerfile.cpu', () => {
  it('runs on node:22-bookworm-slim without tfjs-node-gpu', () => {
    expect(cpu.stages.map((stage) => stage.from)).toStrictEqual(['node:22-bookworm-slim', 'node:22-bookworm-slim']);
    const install = instructionsOf(stageRunning(cpu, /\bnpm ci\b/), 'RUN').map((run) => run.args).join('\n');
    expect(install).toMatch(/--ignore-scripts/);
    expect(install).toContain('rm -rf node_modules/@tensorflow/tfjs-node-gpu');
    expect(install).toContain('tfjs-backend-wasm.wasm');
    expect(readText(join(DOCKER_DIR, 'Dockerfile.cpu'))).not.toMatch(/^\s*(ARG|ENV)\s+TFJS_NODE_CDN_STORAGE/m);
  });

  it('runs the aggregator by default, which the chart also passes explicitly', () => {
    expect(execForm(single(finalStage(cpu), 'CMD'))).toStrictEqual(at(values, ['aggregator', 'args']));
    expect(execForm(single(finalStage(gpu), 'CMD'))).toStrictEqual(at(values, ['trainer', 'args']));
  });
});
