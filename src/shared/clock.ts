/** Injected wherever time matters, so tests control it instead of sleeping. */
export type Clock = () => Date;
export const systemClock: Clock = () => new Date();
