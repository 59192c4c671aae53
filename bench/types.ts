// Shapes shared by every benchmark section and the runner (bench/run.ts).

/** One measured figure. `value` in `unit`; `target` is human-readable ("≥ 12", "≤ 1.5"). */
export interface BenchRow {
  name: string;
  value: number;
  unit: string;
  target?: string;
  /** Whether `value` meets `target`; absent when there is no target. */
  met?: boolean;
  note?: string;
}

/** One section of the report, e.g. "scan" or "api". */
export interface BenchSection {
  id: string;
  title: string;
  rows: BenchRow[];
  /** Raw measurements behind the rows (sizes, timings, counts), kept in the JSON. */
  details?: Record<string, unknown>;
}

/** Options every section receives from the runner. */
export interface BenchOptions {
  /** Smaller sizes for a fast run (`pnpm bench --quick`). */
  quick: boolean;
  /** Progress lines go here (stderr), never into the table. */
  log: (line: string) => void;
}
