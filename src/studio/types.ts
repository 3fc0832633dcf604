/** The Execution resource of Studio v2 (reference: studio-v2-executions-api.md). */
export type ExecutionStatus = "active" | "ended";

export interface Execution {
  sid: string;
  account_sid: string | null;
  flow_sid: string | null;
  contact_channel_address: string | null;
  contact_sid: string | null;
  flow_version: number | null;
  context: unknown;
  status: ExecutionStatus;
  date_created: string | null;
  date_updated: string | null;
  url: string | null;
  links: Record<string, string> | null;
}

export interface ExecutionPage {
  executions: Execution[];
  meta: {
    next_page_url: string | null;
    page?: number;
    page_size?: number;
    url?: string;
    first_page_url?: string;
    previous_page_url?: string | null;
    key?: string;
  };
}

export interface CreateExecutionInput {
  to: string;
  from: string;
  /** Sent as a JSON string in the form field `Parameters`. */
  parameters?: Record<string, unknown>;
}

export interface ListExecutionsInput {
  /** Executions created on or after this instant. */
  dateCreatedFrom?: Date;
  /** Executions created before this instant. */
  dateCreatedTo?: Date;
  status?: ExecutionStatus;
  /** 1..1000; the API's default is 50. */
  pageSize?: number;
}

export const FLOW_SID_PATTERN = /^FW[0-9a-fA-F]{32}$/;
export const EXECUTION_SID_PATTERN = /^FN[0-9a-fA-F]{32}$/;
