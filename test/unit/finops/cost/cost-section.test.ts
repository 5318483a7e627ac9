/** The drill HTML report's cost table per scenario: real time, the four figures, escaped, no external reference. */
import { costSection } from '../../../../local/drill/view/cost-section';
import { renderHtmlReport } from '../../../../local/drill/view/html-report';
import { DEFAULT_FLEET } from '../../../../finops/cost/fleet';
import { ledgerFromDrill } from '../../../../finops/cost/from-drill';
import { formatUsd } from '../../../../finops/cost/output';
import { priceLedger } from '../../../../finops/cost/price-ledger';
import { OFFLINE_PRICE_TABLE } from '../../../../finops/prices/offline-table';
import { drillReport, drillSummary } from './support';

const cells = (html: string, table: string) => {
  const body = html.slice(html.indexOf(`<table class="${table}">`), html.indexOf('</table>', html.indexOf(`<table class="${table}">`)));
  return [...body.matchAll(/<tr><th scope="row">([^<]*)<\/th><td class="num">([^<]*)<\/td>/g)].map((m) => [m[1], m[2]]);
};

describe('costSection', () => {
  it('shows node-hours per pool and the four figures of the scenario, priced offline in real time', () => {
    const report = drillReport();
    const html = costSection(report, 60);
    const cost = priceLedger(ledgerFromDrill(report, 60, DEFAULT_FLEET), OFFLINE_PRICE_TABLE);
    expect(cells(html, 'cost-usage')).toStrictEqual([
      ['aws spot-gpu g4dn.xlarge spot', '3'],
      ['azure gpuspot Standard_NC4as_T4_v3 spot', '1'],
    ]);
    expect(cells(html, 'cost-figures')).toStrictEqual([
      ['Actual', formatUsd(cost.figures.actualUsd)],
      ['All on-demand on AWS', formatUsd(cost.figures.allOnDemandAwsUsd)],
      ['AWS Spot, no failover', formatUsd(cost.figures.awsSpotNoFailoverUsd)],
      [cost.figures.failoverSavedUsd >= 0 ? 'Failover saved' : 'Failover cost', formatUsd(Math.abs(cost.figures.failoverSavedUsd))],
    ]);
    expect(html).toContain('<caption>GPU cost <span>(real time: drill time x 60)</span></caption>');
    expect(html).toContain('<td class="num">1.70</td>');
  });

  it('uses the summary\'s time compression in the full report, and stays offline and escaped', () => {
    const html = renderHtmlReport(drillSummary([drillReport()], 30));
    expect(html).toContain('<div class="grid-2 cost" data-cost-run="spot-interruption">');
    expect(html).toContain('(real time: drill time x 30)');
    expect(html).not.toMatch(/https?:\/\//);
    const section = costSection(drillReport(), 60);
    expect(section).toContain('Azure&#39;s work later on AWS Spot');
    expect(section).not.toContain("'");
  });
});
