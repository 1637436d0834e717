// The Worker's own V8 heap, read through workerd's inspector (start the harness with an
// inspectorPort). Process RSS also counts the local D1, R2 and Queues simulators, which run
// in the same workerd process; the isolate's heap is what the Worker itself holds, the
// figure a production isolate's 128 MB limit applies to.
import { WORKER_NAME } from "./harness.mjs";

/** Connects to the Worker's isolate; `call(method, params)` sends one DevTools protocol command. */
export async function inspectWorker(inspectorPort, workerName = WORKER_NAME) {
  const socket = new WebSocket(`ws://127.0.0.1:${inspectorPort}/core:user:${workerName}`);
  await new Promise((resolve, reject) => {
    socket.addEventListener("open", resolve, { once: true });
    socket.addEventListener(
      "error",
      () => reject(new Error(`cannot inspect worker ${workerName}`)),
      { once: true },
    );
  });
  let nextId = 0;
  const pending = new Map();
  socket.addEventListener("message", (event) => {
    const reply = JSON.parse(String(event.data));
    const waiter = pending.get(reply.id);
    if (!waiter) return;
    pending.delete(reply.id);
    if (reply.error) waiter.reject(new Error(reply.error.message));
    else waiter.resolve(reply.result);
  });
  return {
    call(method, params = {}) {
      nextId += 1;
      const id = nextId;
      return new Promise((resolve, reject) => {
        pending.set(id, { resolve, reject });
        socket.send(JSON.stringify({ id, method, params }));
      });
    },
    close() {
      socket.close();
    },
  };
}

/**
 * Samples the Worker's heap every `intervalMs`. stop() returns the peak bytes in use and
 * allocated, and what stays in use after a full garbage collection: were the export
 * holding on to rows, that last figure would grow with the row count. workerd runs a
 * collection only when the isolate next wakes, so stop() pokes it with `wake` (a request
 * to the Worker) until the collection has answered.
 */
export async function sampleWorkerHeap(inspectorPort, { workerName, intervalMs = 50, wake } = {}) {
  const inspector = await inspectWorker(inspectorPort, workerName);
  let peakUsedBytes = 0;
  let peakTotalBytes = 0;
  const sample = async () => {
    const { usedSize, totalSize } = await inspector.call("Runtime.getHeapUsage");
    peakUsedBytes = Math.max(peakUsedBytes, usedSize);
    peakTotalBytes = Math.max(peakTotalBytes, totalSize);
  };
  await sample();
  const timer = setInterval(() => void sample().catch(() => {}), intervalMs);
  return {
    async stop() {
      clearInterval(timer);
      await sample();
      let collected = false;
      const collection = inspector
        .call("HeapProfiler.collectGarbage")
        .then(() => (collected = true));
      for (let i = 0; i < 50 && !collected; i++) {
        await Promise.race([collection, new Promise((resolve) => setTimeout(resolve, 100))]);
        if (!collected && wake) await wake();
      }
      const afterGcBytes = collected
        ? (await inspector.call("Runtime.getHeapUsage")).usedSize
        : null;
      inspector.close();
      return { peakUsedBytes, peakTotalBytes, afterGcBytes };
    },
  };
}
