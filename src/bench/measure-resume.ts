/** Time to fold a ledger (what every resume does first). Usage: node measure-resume.js <ledger> */
import { loadLedgerState } from "../ledger/open-ledger.js";
import { FileLedger } from "../ledger/file/file-ledger.js";

const started = performance.now();
const state = await loadLedgerState(new FileLedger(process.argv[2] ?? ""));
process.stdout.write(`${JSON.stringify({ contacts: state.units.size, seconds: (performance.now() - started) / 1000 })}\n`);
