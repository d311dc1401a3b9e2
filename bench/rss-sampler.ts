import { readFile } from 'node:fs/promises';

/** Resident set size of a process in bytes, from /proc/<pid>/status (Linux), or null once it is gone. */
export async function residentBytes(pid: number): Promise<number | null> {
  try {
    const status = await readFile(`/proc/${pid}/status`, 'utf8');
    const match = /^VmRSS:\s+(\d+)\s+kB/m.exec(status);
    return match ? Number(match[1]) * 1024 : null;
  } catch {
    return null;
  }
}

/** Samples a process's RSS every `intervalMs` until stopped; stop() returns the largest sample. */
export function sampleRss(pid: number, intervalMs = 250): { stop(): Promise<{ maxBytes: number; samples: number }> } {
  let maxBytes = 0;
  let samples = 0;
  let sampling = Promise.resolve();
  const take = () => {
    sampling = residentBytes(pid).then((bytes) => {
      if (bytes === null) return;
      samples++;
      maxBytes = Math.max(maxBytes, bytes);
    });
  };
  take();
  const timer = setInterval(take, intervalMs);
  return {
    async stop() {
      clearInterval(timer);
      await sampling;
      take();
      await sampling;
      return { maxBytes, samples };
    },
  };
}
