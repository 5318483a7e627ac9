import { performance } from 'node:perf_hooks';
import { classify, parseEventText } from '../../lambdas/events/classify';
import { listEvents, readEventText } from '../../local/corpus';

export interface ClassifyThroughput {
  /** Distinct recorded events in the mix (every well-formed EventBridge event, SQS record and decoy). */
  readonly events: number;
  readonly iterations: number;
  /** parseEventText + classify, events per second. */
  readonly eventsPerSec: number;
  /** JSON.parse alone on the same texts, the floor any classifier pays. */
  readonly parseOnlyEventsPerSec: number;
  /** eventsPerSec / parseOnlyEventsPerSec: the share of JSON.parse speed classify keeps. */
  readonly ratio: number;
}

function corpusTexts(): string[] {
  return listEvents()
    .filter((file) => !file.startsWith('malformed/') && file !== 'sqs/batch-mixed.json')
    .map(readEventText);
}

function rate(texts: readonly string[], iterations: number, work: (text: string) => unknown): number {
  const started = performance.now();
  for (let i = 0; i < iterations; i++) for (const text of texts) work(text);
  return (texts.length * iterations) / ((performance.now() - started) / 1000);
}

/** Measures classify against a JSON.parse baseline in the same run, alternating to share the machine's noise. */
export function benchClassify(iterations = 400): ClassifyThroughput {
  const texts = corpusTexts();
  const classifyText = (text: string) => classify(parseEventText(text));
  rate(texts, 50, classifyText); // warm up the JIT before measuring
  rate(texts, 50, JSON.parse);
  const rounds = 3;
  let classifyRate = 0;
  let parseRate = 0;
  for (let round = 0; round < rounds; round++) {
    classifyRate += rate(texts, iterations / rounds, classifyText);
    parseRate += rate(texts, iterations / rounds, JSON.parse);
  }
  const eventsPerSec = Math.round(classifyRate / rounds);
  const parseOnlyEventsPerSec = Math.round(parseRate / rounds);
  return { events: texts.length, iterations, eventsPerSec, parseOnlyEventsPerSec, ratio: Number((eventsPerSec / parseOnlyEventsPerSec).toFixed(3)) };
}
