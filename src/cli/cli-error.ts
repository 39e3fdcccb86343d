/** A usage mistake: the CLI prints the reason and exits 2 (1 is for failures of a valid command). */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}
