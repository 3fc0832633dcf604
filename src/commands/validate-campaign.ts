import { existsSync } from "node:fs";
import { systemClock } from "../clock.js";
import type { ShardSpec } from "../contacts/shard.js";
import type { FlowSnapshot, PreflightVerdict } from "../flow/preflight-verdict.js";
import type { Credentials } from "../studio/credentials.js";
import { Reads } from "../studio/read-retry.js";
import { ServiceHealth } from "../studio/service-health.js";
import type { Campaign } from "../campaign/campaign.js";
import { refreshFollowUpList, type FollowUpTally } from "../engine/follow-up/follow-up-list.js";
import { daysNeeded, ledgerUsedToday } from "../engine/run/daily-cap.js";
import { preflightFlow } from "../engine/run/preflight.js";
import { kindOf } from "../engine/kinds/kind-of.js";
import { readPolicy } from "../campaign/runtime-defaults.js";
import { previewCampaign, type PreviewResult } from "./preview-campaign.js";
import type { PreviewedUnit } from "./preview-messages.js";
import type { RunEvent } from "../engine/run/run-events.js";
import { openContactRows } from "../contacts/pipeline.js";

export interface ValidateOptions {
  shard: ShardSpec | undefined;
  now: number;
  /** `--online`: the flow preflight too (docs/reference.md §10), its lines told to `report`. */
  online?: { credentials: Credentials; studioUrl: string; report: (line: string) => void } | undefined;
}

export interface ValidateResult extends PreviewResult {
  /** A follow-up: who qualifies now, who waits and why (offline: the outcomes as recorded; nothing written). */
  followUp?: FollowUpTally;
  preflight?: PreflightVerdict;
  /** The daily cap from the ledger (plain validate reads no Redis: a shared count may be higher), and the days the rest needs. */
  cap?: { maxPerDay: number; usedToday: number; days: number };
  /** `--online`: the most segments the first contacts a run would send take in all, along the flow's path to its first wait (§18). */
  segments?: { most: number; previewed: number };
}

/** `validate`: the campaign and its contacts checked, the plan a run now would follow (the dry run's), nothing sent or written. */
export async function validateCampaign(campaign: Campaign, options: ValidateOptions): Promise<ValidateResult> {
  // The first contacts a run would send: `--online` renders their messages for the segments they take.
  const firstSent: PreviewedUnit[] = [];
  const onEvent = (event: RunEvent) => {
    if (event.type === "would-send" && firstSent.length < SEGMENT_SAMPLE) firstSent.push(event);
  };
  const preview = await previewCampaign(campaign, { shard: options.shard, now: options.now, ...(options.online ? { onEvent } : {}) });
  const result: ValidateResult = { ...preview };
  if (campaign.followUpOf) result.followUp = await refreshFollowUpList(campaign, { now: options.now, write: false });
  if (options.online) {
    const { verdict, flow } = await onlinePreflight(campaign, preview.parameterKeys, options.online);
    result.preflight = verdict;
    if (firstSent.length > 0) result.segments = await segmentsOf(campaign, firstSent, flow);
  }
  const { maxPerDay, messagesPerContact } = campaign.rate;
  if (maxPerDay !== undefined) {
    const usedToday = await ledgerUsedToday(campaign, options.now);
    // Every contact a run would send, now or once held ones go: the days they need under the cap.
    result.cap = { maxPerDay, usedToday, days: daysNeeded({ maxPerDay, messagesPerContact }, preview.toSend + preview.held, usedToday) };
  }
  return result;
}

/** Contacts whose messages `validate --online` previews for the segments they take. */
const SEGMENT_SAMPLE = 3;

/** The most segments any of `units` takes in all, its messages rendered along the published flow's path to its first wait. */
async function segmentsOf(
  campaign: Campaign,
  units: readonly PreviewedUnit[],
  read: FlowSnapshot,
): Promise<{ most: number; previewed: number }> {
  const [{ publishedDefinition }, { previewContact }] = await Promise.all([import("./preview-flow.js"), import("./preview-messages.js")]);
  const flow = publishedDefinition(campaign.flowSid, read);
  const totals = units.map((unit) =>
    previewContact(unit, { plan: "send", flow, replies: new Map() }).messages.reduce((n, m) => n + m.segments, 0),
  );
  return { most: Math.max(...totals), previewed: units.length };
}

async function onlinePreflight(
  campaign: Campaign,
  parameterKeys: string[],
  online: NonNullable<ValidateOptions["online"]>,
): Promise<{ verdict: PreflightVerdict; flow: FlowSnapshot }> {
  const { StudioClient } = await import("../studio/client.js"); // undici: only when online
  const client = new StudioClient({ baseUrl: online.studioUrl, credentials: online.credentials, connections: 2 });
  const reads = new Reads({ policy: readPolicy(campaign), clock: systemClock, health: new ServiceHealth() });
  try {
    const quiet = (await kindOf(campaign)).addedParameters;
    const columns = await headerOf(campaign);
    return await preflightFlow({
      client,
      reads,
      flowSid: campaign.flowSid,
      sentKeys: parameterKeys,
      quiet,
      columns,
      replyFrom: campaign.replies?.from,
      report: online.report,
    });
  } finally {
    await client.close();
  }
}

/** The contacts file's columns (none while a follow-up has listed nobody yet). */
async function headerOf(campaign: Campaign): Promise<string[]> {
  if (campaign.followUpOf && !existsSync(campaign.contactsPath)) return [];
  const csv = await openContactRows(campaign, { headerOnly: true });
  csv.close();
  return csv.header;
}
