import { CompleteLifecycleActionCommand, type AutoScalingClient } from '@aws-sdk/client-auto-scaling';

/** One instance held in Terminating:Wait by an Auto Scaling lifecycle hook. */
export interface LifecycleAction {
  readonly autoScalingGroupName: string;
  readonly lifecycleHookName: string;
  readonly lifecycleActionToken: string;
  readonly instanceId: string;
}

/** Lets Auto Scaling finish terminating an instance once its trainers have flushed. */
export interface LifecycleHooks {
  /** Resolves 'completed', or 'gone' when the action had already ended (completed before, or timed out). */
  complete(action: LifecycleAction): Promise<'completed' | 'gone'>;
}

/** Auto Scaling answers a ValidationError when the token names no action in progress: nothing is left to do. */
const NO_ACTIVE_ACTION = /no active lifecycle action/i;

/**
 * CompleteLifecycleAction with CONTINUE. Without it the instance waits out the hook's heartbeat timeout (an
 * hour by default) before terminating: paid GPU time doing nothing. A redelivered event completes an ended
 * action, which Auto Scaling refuses; that is success here.
 */
export function autoScalingLifecycleHooks(autoScaling: AutoScalingClient): LifecycleHooks {
  return {
    async complete(action) {
      try {
        await autoScaling.send(
          new CompleteLifecycleActionCommand({
            AutoScalingGroupName: action.autoScalingGroupName,
            LifecycleHookName: action.lifecycleHookName,
            LifecycleActionToken: action.lifecycleActionToken,
            InstanceId: action.instanceId,
            LifecycleActionResult: 'CONTINUE',
          }),
        );
        return 'completed';
      } catch (error) {
        if ((error as { name?: string }).name === 'ValidationError' && NO_ACTIVE_ACTION.test((error as Error).message)) return 'gone';
        throw error;
      }
    },
  };
}
