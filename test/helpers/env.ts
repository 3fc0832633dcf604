import { Credentials } from "../../src/studio/credentials.js";

export const ACCOUNT_SID = "AC1234567890abcdef1234567890abcdef";
export const AUTH_TOKEN = "tok_s3cr3t_a8d7f6e5d4c3b2a1";
export const API_KEY = "SK1234567890abcdef1234567890abcdef";
export const API_SECRET = "sec_k3y_9z8y7x6w5v4u3t2s";
export const FLOW_SID = "FW0123456789abcdef0123456789abcdef";
export const OTHER_FLOW_SID = "FWfedcba9876543210fedcba9876543210";

export const SIMULATOR_CREDENTIALS = [
  { username: ACCOUNT_SID, password: AUTH_TOKEN },
  { username: API_KEY, password: API_SECRET, accountSid: ACCOUNT_SID },
];

export const accountCredentials = () => new Credentials(ACCOUNT_SID, AUTH_TOKEN, ACCOUNT_SID);
export const apiKeyCredentials = () => new Credentials(API_KEY, API_SECRET, ACCOUNT_SID);

/** The environment a child CLI process gets: credentials, nothing else of the test runner's. */
export function childEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  return {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    TWILIO_ACCOUNT_SID: ACCOUNT_SID,
    TWILIO_AUTH_TOKEN: AUTH_TOKEN,
    ...extra,
  };
}

export const SECRETS = [AUTH_TOKEN, API_SECRET];
