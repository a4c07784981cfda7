// The body of a JSON API request as an object, or the one 400 problem for anything else.
import { HttpProblem } from '../http/problem.js';

export async function jsonObjectBody(req: { text(): Promise<string> }, optional = false): Promise<Record<string, unknown>> {
  const text = await req.text();
  if (optional && text.trim() === '') return {};
  try {
    const v: unknown = JSON.parse(text);
    if (v && typeof v === 'object' && !Array.isArray(v)) return v as Record<string, unknown>;
  } catch {
    // the problem below
  }
  throw new HttpProblem(400, 'bad_json', 'request body must be a JSON object');
}
