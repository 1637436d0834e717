// Memory of a process as Linux reports it: VmRSS (resident now) and VmHWM (the resident
// high-water mark since the process started, so a fresh process per run gives that run's peak).
import { readFileSync } from "node:fs";

/**
 * { rssKiB, hwmKiB, anonKiB, fileKiB } of `pid`, from /proc/<pid>/status. RssFile is file
 * pages mapped in (SQLite and blob files read through mmap: the kernel's cache, reclaimable);
 * RssAnon is the process's own memory (V8 heaps, buffers), the part a leak would grow.
 */
export function processMemory(pid) {
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  const field = (name) => {
    const match = new RegExp(`^${name}:\\s+(\\d+) kB`, "m").exec(status);
    if (!match) throw new Error(`${name} missing from /proc/${pid}/status`);
    return Number(match[1]);
  };
  return {
    rssKiB: field("VmRSS"),
    hwmKiB: field("VmHWM"),
    anonKiB: field("RssAnon"),
    fileKiB: field("RssFile"),
  };
}

/**
 * Samples VmRSS every `intervalMs` (and RssAnon) until stopped, so a peak shorter than the whole run is
 * still seen when the process is not fresh; stop() returns the peak and the last VmHWM.
 */
export function sampleMemory(pid, intervalMs = 20) {
  const first = processMemory(pid);
  let peakRssKiB = first.rssKiB;
  let peakAnonKiB = first.anonKiB;
  const timer = setInterval(() => {
    try {
      const now = processMemory(pid);
      peakRssKiB = Math.max(peakRssKiB, now.rssKiB);
      peakAnonKiB = Math.max(peakAnonKiB, now.anonKiB);
    } catch {
      // the process ended; stop() reports what was seen
    }
  }, intervalMs);
  return {
    stop() {
      clearInterval(timer);
      const last = processMemory(pid);
      return {
        peakRssKiB: Math.max(peakRssKiB, last.rssKiB),
        peakAnonKiB: Math.max(peakAnonKiB, last.anonKiB),
        hwmKiB: last.hwmKiB,
        last,
      };
    },
  };
}

export const mib = (kib) => Math.round((kib / 1024) * 10) / 10;
