// Kamailio with the shipped configuration (integrations/kamailio/kamailio.cfg), in the
// foreground as a child of the runner: its own pid file, runtime and working folders in a
// temporary folder, 127.0.0.1 only, and stopped whatever happens.
import { spawn, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, openSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";

const ROOT = new URL("../..", import.meta.url).pathname;
export const KAMAILIO = process.env.KAMAILIO_PATH ?? "/usr/sbin/kamailio";
const CONFIG = join(ROOT, "integrations", "kamailio", "kamailio.cfg");

export class Kamailio {
  constructor({
    sipPort,
    trunkPort,
    subscribersPort,
    serviceUrl,
    switchToken,
    extendMarginSeconds,
    dir,
    log,
  }) {
    this.dir = dir;
    this.log = log;
    this.sipPort = sipPort;
    this.defines = [
      `SIP_LISTEN=udp:127.0.0.1:${sipPort}`,
      `TRUNK_PORT=${trunkPort}`,
      `SUBSCRIBERS_URI="sip:127.0.0.1:${subscribersPort}"`,
      `CREDIT_SERVICE_URL="${serviceUrl}"`,
      `CREDIT_SWITCH_TOKEN="${switchToken}"`,
      `CREDIT_EXTEND_MARGIN=${extendMarginSeconds}`,
      // This machine is shared by busy test runs: a slow answer is not an outage here.
      "CREDIT_HTTP_TIMEOUT=5",
    ];
    this.process = null;
  }

  #args() {
    const runtime = join(this.dir, "run");
    mkdirSync(runtime, { recursive: true });
    return [
      ["-f", CONFIG],
      ["-P", join(this.dir, "kamailio.pid")],
      ["-Y", runtime],
      ["-w", this.dir],
      ...this.defines.map((d) => ["-A", d]),
    ].flat();
  }

  /** `kamailio -c`: the configuration parses and its modules load. */
  check() {
    if (!existsSync(KAMAILIO)) {
      throw new Error(
        `Kamailio is not at ${KAMAILIO}. Install it with: apt-get update && apt-get install -y kamailio kamailio-utils-modules kamailio-extra-modules`,
      );
    }
    const run = spawnSync(KAMAILIO, ["-c", ...this.#args()], { encoding: "utf8" });
    if (run.status !== 0) throw new Error(`kamailio -c failed:\n${run.stderr}`);
  }

  async start() {
    const out = openSync(this.log, "a");
    // -DD: no daemon, -E: log to stderr (the log file).
    this.process = spawn(KAMAILIO, ["-DD", "-E", ...this.#args()], {
      stdio: ["ignore", out, out],
    });
    const exited = new Promise((resolve) => this.process.once("exit", resolve));
    const ready = await Promise.race([
      exited.then(() => false),
      new Promise((resolve) => setTimeout(() => resolve(true), 1_500)),
    ]);
    if (!ready) throw new Error(`kamailio exited at start; see ${this.log}`);
  }

  /**
   * Every process of this Kamailio on CPU 0 and all but its SIP receivers (the workers that
   * handle answers) at nice 19, so a timer is overtaken by the workers while it sends a
   * dialog's BYEs. Linux only: the receivers are the processes waiting in a UDP receive.
   */
  async starveTimers() {
    const receiversWanted = Number(/^children=(\d+)/m.exec(readFileSync(CONFIG, "utf8"))[1]);
    const main = this.process.pid;
    let children = [];
    let receivers = [];
    for (let i = 0; i < 50 && receivers.length < receiversWanted; i++) {
      const listed = spawnSync("pgrep", ["-P", String(main)], { encoding: "utf8" }).stdout;
      children = listed.split("\n").filter(Boolean);
      receivers = children.filter((pid) => {
        const wchan = readFileSync(`/proc/${pid}/wchan`, "utf8");
        return wchan.includes("skb_wait_for_more_packets") || wchan.includes("recv");
      });
      await sleep(100);
    }
    if (receivers.length !== receiversWanted)
      throw new Error(`found ${receivers.length} SIP receivers, not ${receiversWanted}`);
    for (const pid of [String(main), ...children]) {
      const pinned = spawnSync("taskset", ["-p", "-c", "0", pid], { encoding: "utf8" });
      if (pinned.status !== 0) throw new Error(`taskset ${pid}: ${pinned.stderr}`);
      if (receivers.includes(pid)) continue;
      const niced = spawnSync("renice", ["-n", "19", "-p", pid], { encoding: "utf8" });
      if (niced.status !== 0) throw new Error(`renice ${pid}: ${niced.stderr}`);
    }
  }

  /**
   * What the service answered to one step of a call, in order, from the configuration's log
   * lines ("credit: POST <url> <body> -> <status> <answer>"): "allowed", "refused" or the status.
   */
  answersTo(callId, step) {
    const lines = readFileSync(this.log, "utf8").split("\n");
    const marker = `/calls/${callId}/${step} `;
    return lines
      .filter((line) => line.includes("credit: POST") && line.includes(marker))
      .map((line) => {
        const answer = /-> (\S+) (.*)$/.exec(line);
        if (answer?.[1] !== "200") return answer?.[1] ?? "?";
        return answer[2].includes('"allowed":true') ? "allowed" : "refused";
      });
  }

  async stop() {
    const child = this.process;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((resolve) => child.once("exit", resolve));
    child.kill("SIGTERM");
    const late = setTimeout(() => child.kill("SIGKILL"), 5_000);
    await exited;
    clearTimeout(late);
  }
}
