import { MemoryCheckpointStorage } from '../../lib/checkpoint/memory-checkpoint-storage';
import { checkpointStorageContract } from './checkpoint-storage-contract';

checkpointStorageContract(
  'MemoryCheckpointStorage',
  async () => {
    const storage = new MemoryCheckpointStorage();
    return {
      storage,
      // What the storage still holds for the job: its parts (reached through the private map, for this check only).
      leftovers: async (jobName) => (storage as unknown as { jobs: Map<string, { parts: Map<string, unknown> }> }).jobs.get(jobName)?.parts.size ?? 0,
    };
  },
  async (f) => f.storage.close(),
);
