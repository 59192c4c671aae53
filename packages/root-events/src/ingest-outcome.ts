/**
 * What processing one delivered root event came to, shared by the processing (`ingestRootEvent` in
 * @rootaudit/service) and both ways in: the push route answers with it, the SQS consumer
 * (`EventQueueConsumer` in @rootaudit/aws) deletes or dead-letters the message by it. A throw from
 * the processing is no outcome: something transient (the database) failed, and the event is
 * delivered again later.
 */
export type IngestOutcome =
  | { status: 'stored'; eventId: string; accountId: string }
  | { status: 'duplicate'; eventId: string; accountId: string }
  | { status: 'own-session'; eventId: string; accountId: string }
  | { status: 'foreign-account'; eventId: string; accountId: string }
  /** Permanent (malformed, not root): delivering it again cannot help. `reason` names the field. */
  | { status: 'refused'; reason: string };

/** Processes one delivered envelope (any JSON value, as received). Throws when it should be retried. */
export type RootEventHandler = (envelope: unknown) => Promise<IngestOutcome>;
