// The EPCIS module's problem type, alone in a leaf module so that any file can throw it
// without importing capture (and the repository behind it).
import { HttpProblem } from '../http/problem.js';

/** An HttpProblem carrying the GS1 exception type the EPCIS REST binding names. */
export class EpcisProblem extends HttpProblem {
  constructor(
    status: HttpProblem['status'],
    readonly gs1Type: string,
    code: string,
    detail: string,
    extra: Record<string, unknown> = {},
  ) {
    super(status, code, detail, extra);
    this.name = 'EpcisProblem';
  }
}
