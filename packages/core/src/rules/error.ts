// One error type for a bad rule definition, evaluator option or reading. The
// path names the offending field (e.g. `rules[2].allowedZones[0].radiusM`) so
// a policy author sees exactly what to fix, not just that something is wrong.

export class RuleError extends Error {
  constructor(
    /** Where the problem is, e.g. `rules[0].max` or `readings[12].t`. */
    readonly path: string,
    /** What is wrong there. */
    readonly detail: string,
  ) {
    super(`${path}: ${detail}`);
    this.name = 'RuleError';
  }
}
