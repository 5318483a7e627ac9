import { AzureSilenceMonitor, azureSilentSignal } from '../../../fl-training/aggregator/azure-silence';
import { SignalSchema } from '../../../protocol/signal';

const COVERING = { phase: 'azure-active', desiredAzureNodes: 2 };

describe('AzureSilenceMonitor', () => {
  it('says azure-silent once, when Azure trainers heard under the cover stay quiet for the timeout', () => {
    const monitor = new AzureSilenceMonitor(1000);
    expect(monitor.observe(COVERING, 2, 0)).toBeUndefined();
    expect(monitor.observe(COVERING, 0, 500)).toBeUndefined();
    expect(monitor.observe(COVERING, 0, 1400)).toBeUndefined();
    expect(monitor.observe(COVERING, 0, 1500)).toBe(500);
    expect(monitor.observe(COVERING, 0, 9000)).toBeUndefined();
    // They report again, then go quiet again: a new silence.
    expect(monitor.observe(COVERING, 1, 10_000)).toBeUndefined();
    expect(monitor.observe(COVERING, 0, 11_000)).toBeUndefined();
    expect(monitor.observe(COVERING, 0, 12_000)).toBe(11_000);
  });

  it('says nothing for trainers that never came, or when Azure is not covering', () => {
    const monitor = new AzureSilenceMonitor(1000);
    expect([monitor.observe(COVERING, 0, 0), monitor.observe(COVERING, 0, 5000)]).toStrictEqual([undefined, undefined]);
    const other = new AzureSilenceMonitor(1000);
    other.observe(COVERING, 2, 0);
    expect(other.observe({ phase: 'failing-back', desiredAzureNodes: 0 }, 0, 5000)).toBeUndefined();
    expect(other.observe(COVERING, 0, 6000)).toBeUndefined();
  });

  it('makes a valid signal whose id a resend repeats', () => {
    const signal = azureSilentSignal('run-1', 500, 1500);
    expect(SignalSchema.parse(signal)).toStrictEqual(signal);
    expect([signal.type, signal.id, azureSilentSignal('run-1', 500, 9000).id]).toStrictEqual(['azure-silent', 'azure-silent-run-1-500', 'azure-silent-run-1-500']);
  });
});
