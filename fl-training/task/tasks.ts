/**
 * The shape of each task's examples. The examples themselves are not here: they are staged into each cloud's data
 * store (datasets/stage.ts) and every process reads only its own part (fl-training/data/).
 */
import type { TaskName } from '../config';

export interface TaskShape {
  readonly features: number;
  readonly classes: number;
}

export const TASK_SHAPES: Readonly<Record<TaskName, TaskShape>> = {
  /** 28x28 grey-scale digits. */
  mnist: { features: 28 * 28, classes: 10 },
  /** A tiny seeded synthetic task (iris-like) for fast tests. */
  blobs: { features: 4, classes: 3 },
};
