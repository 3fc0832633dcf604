// The throwaway cluster lives with the bench (which measures against it too); the tests use the same one.
export { postgresBin, startPostgres, type PostgresServer } from "../../src/bench/throwaway-postgres.js";
