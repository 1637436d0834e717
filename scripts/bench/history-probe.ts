// A bench instrument, never deployed: a Worker beside the service in the same workerd,
// bound to the same D1 databases and R2 bucket, that runs the history's readers on their
// own so the simulation (history.mjs) can time them. The listing's history part cannot be
// reached through the API there: it serves what a ledger pruned after 90 days, and a
// bench cannot wait 90 days. The archive itself runs through the service's cron.
//
//   GET /listing?account=ID&afterSeq=N&throughSeq=N&limit=N  → a page of the history part
//   POST /export?account=ID&from=MS&to=MS                     → an export file written to R2
import { CSV_CONTENT_TYPE } from "../../src/exports/csv";
import { R2MultipartTextWriter } from "../../src/exports/multipart-writer";
import { writeExportFile } from "../../src/exports/writer";
import { accountHistory, historyPages, prunedMovementsPage } from "../../src/history/read";

export default {
  async fetch(request: Request, env: Env): Promise<Response> {
    const url = new URL(request.url);
    const param = (name: string) => {
      const value = url.searchParams.get(name);
      if (value === null) throw new Error(`missing ${name}`);
      return value;
    };
    const history = await accountHistory(env, param("account"));
    if (url.pathname === "/listing") {
      const page = await prunedMovementsPage(env, history, {
        afterSeq: Number(param("afterSeq")),
        throughSeq: Number(param("throughSeq")),
        fromMs: Number.MIN_SAFE_INTEGER,
        toMs: Number.MAX_SAFE_INTEGER,
        limit: Number(param("limit")),
      });
      return Response.json({
        seqs: page.map((m) => m.seq),
        sumMicros: page.reduce((sum, m) => sum + m.amountMicros, 0),
      });
    }
    const key = `bench/${history.accountId}/${crypto.randomUUID()}.csv`;
    // workerd's clock moves at I/O, and the export is I/O from end to end.
    const startedMs = Date.now();
    const file = await writeExportFile({
      pages: historyPages(env, history, {
        fromMs: Number(param("from")),
        toMs: Number(param("to")),
      }),
      timeZone: "UTC",
      file: new R2MultipartTextWriter(env.EXPORTS, key, {
        httpMetadata: { contentType: CSV_CONTENT_TYPE },
      }),
    });
    const writeMs = Date.now() - startedMs;
    // The file's digest, streamed, so two exports can be compared without holding either.
    const digest = new crypto.DigestStream("SHA-256");
    await ((await env.EXPORTS.get(key)) as R2ObjectBody).body.pipeTo(digest);
    const sha = await digest.digest;
    await env.EXPORTS.delete(key);
    return Response.json({
      writeMs,
      rows: file.rows,
      bytes: file.bytes,
      sumMicros: file.sumMicros,
      sha256: [...new Uint8Array(sha)].map((b) => b.toString(16).padStart(2, "0")).join(""),
    });
  },
};
