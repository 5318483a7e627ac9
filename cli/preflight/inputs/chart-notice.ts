/**
 * The Spot notice per cloud as the chart itself states it (`spot-on-fl.spotNoticeSeconds` in templates/_helpers.tpl,
 * which also refuses to render a trainer budget that does not fit), so preflight and the chart never disagree.
 */
import { PreflightInputError } from './errors';

const HELPER = /define\s+"spot-on-fl\.spotNoticeSeconds"[\s\S]*?\(dict((?:\s+"[a-z]+"\s+\d+)+)\s*\)/;

/** The `aws` and `azure` notices of the chart's helper; throws when the helper is gone or lacks a cloud. */
export function chartSpotNoticeSeconds(helpersTpl: string, source: string): Record<'aws' | 'azure', number> {
  const pairs = HELPER.exec(helpersTpl)?.[1];
  const notice = Object.fromEntries([...(pairs ?? '').matchAll(/"([a-z]+)"\s+(\d+)/g)].map(([, cloud, seconds]) => [cloud, Number(seconds)]));
  const { aws, azure } = notice;
  if (aws === undefined || azure === undefined) {
    throw new PreflightInputError(`${source}: no spot-on-fl.spotNoticeSeconds helper with the aws and azure notices`);
  }
  return { aws, azure };
}
