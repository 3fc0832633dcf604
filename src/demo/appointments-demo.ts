/**
 * The demo's standing campaign (docs/reference.md §16): a booking system's export of upcoming appointments,
 * placed relative to the moment the demo runs, and the cron job's ticks over it — what was due,
 * what waits on a busy number, what expired, the next due time — then a re-export with one
 * appointment cancelled and one moved, and a tick with nothing new.
 */
import { writeFile } from "node:fs/promises";
import path from "node:path";
import { DateTime } from "luxon";

/** The clinic's zone: the campaign's window (demo-appointments.json). */
const CLINIC_ZONE = "America/Los_Angeles";

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

export interface AppointmentsDemo {
  campaignFile: string;
  /** Runs the CLI with these arguments (the simulator's URLs added), returns the exit code. */
  cli: (args: string[]) => Promise<number>;
  say: (text: string) => void;
  /** The export the campaign reads (`contacts` of the campaign file). */
  exportFile: string;
  /** Outputs: the report's CSV and HTML, and the confirmations for the booking system. */
  report: string;
  confirmations: string;
  htmlReport: string;
  /** How long the simulated recipients take with a reminder (its Execution is active until then), ms. */
  executionMs: number;
}

type Appointment = { id: string; to: string; name: string; at: number };

/**
 * The export at `now`, every reminder in a chosen phase. The campaign's reminders: day-before (1d
 * before, within 12h of its due time) and two-hours (2h before); minLead 1h. The cron job starts
 * now, so the day-before reminders of appointments less than 12 hours away are past their
 * deadline: expired, never sent late.
 */
function appointments(now: number): Appointment[] {
  return [
    // Due now: Eli's two-hours reminder (its deadline, an hour before the appointment, is still ahead).
    { id: "A-102", to: "+14155552002", name: "Eli", at: now + 90 * MINUTE },
    // Ana has two appointments with a reminder due now each: one number, one Execution at a time — the second waits (409).
    { id: "A-103", to: "+14155552003", name: "Ana", at: now + 100 * MINUTE },
    { id: "A-104", to: "+14155552003", name: "Ana", at: now + DAY - 10 * MINUTE },
    // Kai's day-before reminder falls due a few seconds from now: the next tick sends it.
    { id: "A-101", to: "+14155552001", name: "Kai", at: now + DAY + 5_000 },
    // Cy's appointment is in 50 minutes: its two-hours reminder's deadline (minLead 1h) has passed — expired.
    { id: "A-106", to: "+14155552006", name: "Cy", at: now + 50 * MINUTE },
    // Later: Bo in three days; Di in two (cancelled by the re-export). Ed's two-hours is due now (then moved).
    { id: "A-105", to: "+14155552005", name: "Bo", at: now + 3 * DAY },
    { id: "A-107", to: "+14155552007", name: "Di", at: now + 2 * DAY },
    { id: "A-108", to: "+14155552008", name: "Ed", at: now + 95 * MINUTE },
  ];
}

/**
 * The export as a practice-management system writes it (docs/reference.md §17): US dates and AM/PM
 * times in two columns, in the clinic's zone, headers with spaces, a Status column.
 */
async function writeExport(file: string, rows: Appointment[], cancelled: ReadonlySet<string> = new Set()): Promise<void> {
  const lines = rows.map((a) => {
    const local = DateTime.fromMillis(a.at, { zone: CLINIC_ZONE });
    const status = cancelled.has(a.id) ? "Cancelled" : "Booked";
    return `${a.id},${a.name},${a.to},${local.toFormat("MM/dd/yyyy")},${local.toFormat("h:mm:ss a")},Dr Lee,${status}`;
  });
  await writeFile(file, `Appt ID,Patient First,Cell Phone,Appt Date,Appt Time,Provider,Status\n${lines.join("\n")}\n`, { mode: 0o600 });
}

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export async function runAppointmentsDemo(demo: AppointmentsDemo): Promise<void> {
  const { cli, say, campaignFile } = demo;
  const now = Date.now();
  const booked = appointments(now);
  await writeExport(demo.exportFile, booked);
  say(
    `\n--- Reminders on a schedule: ${path.basename(demo.exportFile)} is the booking system's export (${booked.length} appointments ` +
      `from 50 minutes to 3 days ahead); cron runs the campaign every few minutes ---\n`,
  );
  say(`\n$ studio-campaign validate demo-appointments.json   # the schedule: due now, next 24 hours, later, never\n`);
  await cli(["validate", campaignFile]);
  say(`\n$ studio-campaign preview demo-appointments.json --rows 1   # what the patient of row 1 will read, each reminder\n`);
  await cli(["preview", campaignFile, "--rows", "1"]);
  say(`\n$ studio-campaign run demo-appointments.json   # tick 1\n`);
  const first = await cli(["run", campaignFile]);
  say(`(exit ${first}: a due reminder waits on a busy number — the next tick sends it)\n`);
  await pause(demo.executionMs + 1_500);
  say(`\n$ studio-campaign run demo-appointments.json   # tick 2, seconds later: what waited, and what fell due since\n`);
  await cli(["run", campaignFile]);
  // The booking system exports again: Di's appointment cancelled (its Status), Ed's moved a quarter of an hour later.
  const reexport = booked.map((a) => (a.id === "A-108" ? { ...a, at: a.at + 15 * MINUTE } : a));
  await writeExport(demo.exportFile, reexport, new Set(["A-107"]));
  say(`\n(the booking system re-exports: A-107's Status is now Cancelled, A-108 moved 15 minutes later)\n`);
  say(`$ studio-campaign run demo-appointments.json   # tick 3: A-107's reminders cancelled, A-108 reminded again for its new time\n`);
  await cli(["run", campaignFile]);
  say(`\n$ studio-campaign run demo-appointments.json   # tick 4: nothing new, nothing due — the export is not even parsed\n`);
  await cli(["run", campaignFile]);
  await pause(demo.executionMs + 500);
  say(`\n$ studio-campaign results demo-appointments.json   # who confirmed, who cancelled (a cancel stops the next reminder)\n`);
  await cli(["results", campaignFile]);
  say(`\n$ studio-campaign confirmations demo-appointments.json --new --out demo-confirmations.csv   # for the booking system\n`);
  await cli(["confirmations", campaignFile, "--new", "--out", demo.confirmations]);
  await cli(["report", campaignFile, "--out", demo.report, "--html", demo.htmlReport]);
}
