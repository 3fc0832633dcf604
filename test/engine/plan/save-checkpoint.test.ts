import { writeFile } from "node:fs/promises";
import { afterEach, describe, expect, it } from "vitest";
import { loadCampaign } from "../../../src/campaign/load-campaign.js";
import { SURVEY_CHECKPOINT } from "../../../src/engine/plan/checkpoint-policy.js";
import { emptyCounts } from "../../../src/ledger/row-status.js";
import { saveCheckpoint } from "../../../src/engine/plan/save-checkpoint.js";
import { openContactsCsv } from "../../../src/contacts/read-csv.js";
import { SeenKeys } from "../../../src/contacts/seen-keys.js";
import { readCheckpoint } from "../../../src/ledger/checkpoint.js";
import { emptyLedgerState, newUnitState, type UnitStatus } from "../../../src/ledger/fold.js";
import { makeFixture, phoneNumbers, type Fixture } from "../../helpers/cli.js";

const fixtures: Fixture[] = [];
afterEach(async () => {
  for (const f of fixtures.splice(0)) await f.cleanup();
});

const FROM = "+15017122661";

describe("saveCheckpoint: the final prefix stops at the first row not final in the ledger", () => {
  it.each([
    ["pending after a transient failure", { status: "pending" as UnitStatus, attempts: 1 }],
    ["in doubt", { status: "pending" as UnitStatus, attempts: 1, inDoubt: true }],
    ["never attempted", undefined],
  ])("row 2 %s: the prefix is row 1; rows 2 and 3 keep their state", async (_name, second) => {
    const numbers = phoneNumbers(3);
    const f = await makeFixture(`to\n${numbers.join("\n")}\n`);
    fixtures.push(f);
    await writeFile(f.ledgerPath, '{"t":"campaign"}\n');
    const campaign = await loadCampaign(f.campaignPath);
    const state = emptyLedgerState();
    state.units.set(`${numbers[0]}|${FROM}`, { ...newUnitState(), status: "created", attempts: 1 });
    if (second) state.units.set(`${numbers[1]}|${FROM}`, { ...newUnitState(), ...second });
    state.units.set(`${numbers[2]}|${FROM}`, { ...newUnitState(), status: "created", attempts: 1 });
    const start = (await openContactsCsv(campaign.contactsPath, "to")).start;
    await saveCheckpoint(campaign, {
      state,
      prefix: { point: start, counts: emptyCounts(), seen: new SeenKeys(FROM) },
      since: undefined,
      shard: undefined,
      policy: SURVEY_CHECKPOINT,
    });
    const saved = (await readCheckpoint(f.ledgerPath))!.checkpoint;
    expect(saved.csv.rows).toBe(1);
    expect(saved.prefixCounts.created).toBe(1);
    // Every contact after the prefix keeps its folded state; row 1's is in the prefix.
    expect(saved.contacts.map(([key]) => key).sort()).toEqual([...state.units.keys()].filter((key) => !key.startsWith(numbers[0]!)).sort());
  });
});
