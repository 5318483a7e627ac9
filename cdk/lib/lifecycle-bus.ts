import { Duration } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import { Construct } from 'constructs';

export interface LifecycleBusProps {
  /** @default spot-on */
  readonly eventBusName?: string;
  /** How long the archive keeps events; Duration.days(0) keeps them forever. @default Duration.days(30) */
  readonly archiveRetention?: Duration;
}

/**
 * The custom `spot-on` event bus on which the interruption Lambda publishes lifecycle events (checkpoint
 * flushed, signal queued), archived so a drill or an incident can be replayed.
 */
export class LifecycleBus extends Construct {
  public readonly eventBus: events.EventBus;
  public readonly archive: events.Archive;

  constructor(scope: Construct, id: string, props: LifecycleBusProps = {}) {
    super(scope, id);
    const retention = props.archiveRetention ?? Duration.days(30);
    if (retention.toDays() < 0 || !Number.isInteger(retention.toDays())) {
      throw new Error(`${this.node.path}: archiveRetention must be a whole number of days`);
    }
    this.eventBus = new events.EventBus(this, 'Bus', { eventBusName: props.eventBusName ?? 'spot-on' });
    this.archive = new events.Archive(this, 'Archive', {
      sourceEventBus: this.eventBus,
      description: 'Every Spot-On lifecycle event, for replay',
      // EventBridge requires a pattern; the bus only carries our own events, so match all of this account's.
      eventPattern: { account: [this.eventBus.stack.account] },
      retention,
    });
  }
}
