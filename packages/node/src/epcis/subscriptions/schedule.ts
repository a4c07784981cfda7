// Query subscription schedules (EPCIS 2.0 QuerySchedule: second, minute, hour,
// dayOfMonth, month, dayOfWeek), parsed and stepped in UTC. Pure.
//
// Field syntax (the binding's pattern, plus the cron forms its own example uses):
//   "5"  "1,5,30"  "[10-20]" or "10-20"  "*"  "0/30" or "*/30" (from 0, every 30)
// Every value given must match; an omitted field finer than the finest field given
// means its first value (so {hour:"1", minute:"5"} fires once a day at 01:05:00),
// an omitted coarser field means any value. dayOfMonth and dayOfWeek (1 = Monday …
// 7 = Sunday) must both hold when both are given.

export const SCHEDULE_FIELDS = ['second', 'minute', 'hour', 'dayOfMonth', 'month', 'dayOfWeek'] as const;
export type ScheduleField = (typeof SCHEDULE_FIELDS)[number];
export type ScheduleSpec = Partial<Record<ScheduleField, string>>;

const RANGE: Record<ScheduleField, [number, number]> = {
  second: [0, 59],
  minute: [0, 59],
  hour: [0, 23],
  dayOfMonth: [1, 31],
  month: [1, 12],
  dayOfWeek: [1, 7],
};

/** Each field as the set of values that match. */
export type Schedule = Record<ScheduleField, ReadonlySet<number>>;

export type ScheduleParse = { ok: true; schedule: Schedule } | { ok: false; field: ScheduleField | null; reason: string };

function parseField(field: ScheduleField, text: string): Set<number> | string {
  const [lo, hi] = RANGE[field];
  const out = new Set<number>();
  const num = (s: string): number | null => (/^\d{1,2}$/.test(s) && Number(s) >= lo && Number(s) <= hi ? Number(s) : null);
  for (const raw of text.split(',')) {
    const part = raw.trim();
    const step = /^(\*|\d{1,2})\/(\d{1,2})$/.exec(part);
    const range = /^\[?(\d{1,2})-(\d{1,2})\]?$/.exec(part);
    if (part === '*') {
      for (let v = lo; v <= hi; v++) out.add(v);
    } else if (step) {
      const m = step;
      const from = m[1] === '*' ? lo : num(m[1]!);
      const by = Number(m[2]);
      if (from === null || by < 1) return `"${part}": a step needs a start in ${lo}–${hi} and a step ≥ 1`;
      for (let v = from; v <= hi; v += by) out.add(v);
    } else if (range) {
      const m = range;
      const a = num(m[1]!);
      const b = num(m[2]!);
      if (a === null || b === null || a > b) return `"${part}": a range needs two values in ${lo}–${hi}, low first`;
      for (let v = a; v <= b; v++) out.add(v);
    } else {
      const v = num(part);
      if (v === null) return `"${part}" is not a value in ${lo}–${hi}, a range [a-b], a list a,b or a step a/n`;
      out.add(v);
    }
  }
  return out;
}

export function parseSchedule(spec: unknown): ScheduleParse {
  if (typeof spec !== 'object' || spec === null || Array.isArray(spec))
    return {
      ok: false,
      field: null,
      reason: 'schedule must be an object with second, minute, hour, dayOfMonth, month or dayOfWeek',
    };
  const given = spec as Record<string, unknown>;
  for (const k of Object.keys(given)) {
    if (!(SCHEDULE_FIELDS as readonly string[]).includes(k))
      return { ok: false, field: null, reason: `schedule has no field "${k}" (${SCHEDULE_FIELDS.join(', ')})` };
  }
  const present = SCHEDULE_FIELDS.filter((f) => given[f] !== undefined);
  if (present.length === 0) return { ok: false, field: null, reason: 'schedule names no field: it would never fire' };
  // Finest given field among second < minute < hour < day < month (dayOfWeek counts as a day).
  const rank = (f: ScheduleField) => (f === 'dayOfWeek' ? 3 : SCHEDULE_FIELDS.indexOf(f));
  const finest = Math.min(...present.map(rank));
  const out = {} as Record<ScheduleField, Set<number>>;
  for (const f of SCHEDULE_FIELDS) {
    const v = given[f];
    if (v !== undefined) {
      const text = typeof v === 'number' && Number.isInteger(v) ? String(v) : v;
      if (typeof text !== 'string' || text.trim() === '')
        return { ok: false, field: f, reason: `schedule.${f} must be a non-empty string like "5" or "0,30"` };
      const parsed = parseField(f, text);
      if (typeof parsed === 'string') return { ok: false, field: f, reason: `schedule.${f}: ${parsed}` };
      out[f] = parsed;
    } else {
      const [lo, hi] = RANGE[f];
      const all = new Set<number>();
      // Finer than what was given: its first value; coarser: any. Days: any, unless only a month was given.
      const first = f !== 'dayOfWeek' && rank(f) < finest && !(f === 'dayOfMonth' && given.dayOfWeek !== undefined);
      if (first) all.add(lo);
      else for (let x = lo; x <= hi; x++) all.add(x);
      out[f] = all;
    }
  }
  return { ok: true, schedule: out };
}

/** The first moment (ms, whole second) strictly after `after` that the schedule matches, or null within ~5 years. */
export function nextFire(s: Schedule, after: number): number | null {
  let t = Math.floor(after / 1000) * 1000 + 1000;
  const limit = after + 5 * 366 * 86_400_000;
  while (t <= limit) {
    const d = new Date(t);
    const dow = d.getUTCDay() === 0 ? 7 : d.getUTCDay();
    if (!s.month.has(d.getUTCMonth() + 1)) {
      t = Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 1);
    } else if (!s.dayOfMonth.has(d.getUTCDate()) || !s.dayOfWeek.has(dow)) {
      t = Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate() + 1);
    } else if (!s.hour.has(d.getUTCHours())) {
      t = Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate(), d.getUTCHours() + 1);
    } else if (!s.minute.has(d.getUTCMinutes())) {
      t = Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate(), d.getUTCHours(), d.getUTCMinutes() + 1);
    } else if (!s.second.has(d.getUTCSeconds())) {
      t += 1000;
    } else {
      return t;
    }
  }
  return null;
}
