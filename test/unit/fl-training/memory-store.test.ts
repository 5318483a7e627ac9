import { MemoryCheckpointStore } from '../../../fl-training/store/memory-store';
import { describeCheckpointStore } from './support/checkpoint-store-contract';

describeCheckpointStore('in memory', () => new MemoryCheckpointStore());
