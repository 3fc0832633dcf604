import { envValue } from "../env.js";
import { StudioCampaignError } from "../errors.js";
/**
 * Credentials come only from the environment (docs/reference.md §2): never from a flag, where `ps` shows them.
 * The secret is held in a closure-free private field and never included in messages or JSON.
 */
export class Credentials {
  readonly username: string;
  /** The account the ledger and the shared limiter are bound to. */
  readonly accountId: string;
  readonly #authorization: string;

  constructor(username: string, secret: string, accountId: string) {
    this.username = username;
    this.accountId = accountId;
    this.#authorization = `Basic ${Buffer.from(`${username}:${secret}`).toString("base64")}`;
  }

  authorizationHeader(): string {
    return this.#authorization;
  }

  toJSON(): { username: string } {
    return { username: this.username };
  }

  /** Redacted form for util.inspect/console.log. */
  [Symbol.for("nodejs.util.inspect.custom")](): string {
    return `Credentials { username: '${this.username}' }`;
  }
}

export class MissingCredentialsError extends StudioCampaignError {
  override readonly name = "MissingCredentialsError";

  constructor(message: string) {
    super("MISSING_CREDENTIALS", message);
  }
}

/**
 * `TWILIO_API_KEY` + `TWILIO_API_SECRET` win when both are set (the recommended kind);
 * otherwise `TWILIO_ACCOUNT_SID` + `TWILIO_AUTH_TOKEN`. The account id is the account SID when
 * known, else the API key SID.
 */
export function credentialsFromEnv(env: NodeJS.ProcessEnv = process.env): Credentials {
  const accountSid = envValue(env, "TWILIO_ACCOUNT_SID");
  const apiKey = envValue(env, "TWILIO_API_KEY");
  const apiSecret = envValue(env, "TWILIO_API_SECRET");
  if (apiKey && apiSecret) return new Credentials(apiKey, apiSecret, accountSid ?? apiKey);
  const authToken = envValue(env, "TWILIO_AUTH_TOKEN");
  if (accountSid && authToken) return new Credentials(accountSid, authToken, accountSid);
  throw new MissingCredentialsError(
    "no Twilio credentials: set TWILIO_ACCOUNT_SID and TWILIO_AUTH_TOKEN, or TWILIO_API_KEY and TWILIO_API_SECRET",
  );
}
