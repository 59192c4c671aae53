/**
 * @rootaudit/webhooks: what the API and the worker share about webhooks: which URLs may be
 * targets, how a delivery is signed, the events and their enqueueing, and delivery itself.
 */
export * from './deliver.ts';
export * from './events.ts';
export * from './signature.ts';
export * from './urls.ts';
