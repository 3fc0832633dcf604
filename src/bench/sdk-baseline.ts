/**
 * The usual alternative, for the overhead benchmark: a script on the official `twilio` helper
 * library (a devDependency of the bench only), p-limit(concurrency), no ledger. Its requests
 * are redirected to the simulator by a RequestClient subclass that rewrites the URL.
 * Usage: node sdk-baseline.js <simulatorUrl> <count> <concurrency>
 */
import pLimit from "p-limit";
import twilio from "twilio";

const [baseUrl = "", countArg = "5000", concurrencyArg = "50"] = process.argv.slice(2);

type RequestOptions = { uri: string } & Record<string, unknown>;
// The SDK's typings of RequestClient are generic in ways a subclass cannot restate; its
// documented extension point is this method, which receives the full request.
const BaseClient = twilio.RequestClient as unknown as new () => { request(opts: RequestOptions): Promise<unknown> };

class RedirectingClient extends BaseClient {
  override request(opts: RequestOptions): Promise<unknown> {
    return super.request({ ...opts, uri: opts.uri.replace("https://studio.twilio.com", baseUrl) });
  }
}

const client = twilio(process.env.TWILIO_ACCOUNT_SID, process.env.TWILIO_AUTH_TOKEN, { httpClient: new RedirectingClient() as never });
const limit = pLimit(Number(concurrencyArg));
const count = Number(countArg);
const started = performance.now();
let created = 0;
await Promise.all(
  Array.from({ length: count }, (_, i) =>
    limit(async () => {
      await client.studio.v2.flows("FW0123456789abcdef0123456789abcdef").executions.create({
        to: `+1415${3000000 + i}`,
        from: "+15017122661",
        parameters: { name: `n${i}` },
      });
      created++;
    }),
  ),
);
process.stdout.write(`${JSON.stringify({ created, seconds: (performance.now() - started) / 1000 })}\n`);
