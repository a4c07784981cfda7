// How times are shown: a time zone (UTC by default: evidence is compared across
// time zones) and a locale (null: the ISO-like "2026-03-02 14:05" form). Chosen
// in the header, kept in this browser (localStorage); every time on every page
// is formatted through lib/format.ts with the current choice.
import { useSyncExternalStore } from 'react';

export interface DisplaySettings {
  timeZone: string;
  /** A BCP 47 locale ("en-GB", "de-DE"); null: ISO-like dates. */
  locale: string | null;
}

export const DEFAULT_DISPLAY: DisplaySettings = { timeZone: 'UTC', locale: null };
const KEY = 'tradetwin.display';

let current: DisplaySettings = load();
/** The person chose in this browser: the node's default no longer applies. */
let chosen = stored() !== null;

function stored(): string | null {
  try {
    return globalThis.localStorage?.getItem(KEY) ?? null;
  } catch {
    return null;
  }
}
const listeners = new Set<() => void>();

/** Whether the runtime knows this time zone / locale (a stored or typed value may not be). */
export function validTimeZone(tz: string): boolean {
  try {
    new Intl.DateTimeFormat('en', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}

export function validLocale(locale: string): boolean {
  try {
    return Intl.DateTimeFormat.supportedLocalesOf([locale]).length > 0;
  } catch {
    return false;
  }
}

function load(): DisplaySettings {
  try {
    const raw = stored();
    if (!raw) return DEFAULT_DISPLAY;
    const v = JSON.parse(raw) as Partial<DisplaySettings>;
    return {
      timeZone: typeof v.timeZone === 'string' && validTimeZone(v.timeZone) ? v.timeZone : 'UTC',
      locale: typeof v.locale === 'string' && validLocale(v.locale) ? v.locale : null,
    };
  } catch {
    return DEFAULT_DISPLAY;
  }
}

export function displaySettings(): DisplaySettings {
  return current;
}

/** The node's configured default (status.display), used until the person chooses in this browser. */
export function adoptNodeDefault(d: DisplaySettings | undefined): void {
  if (chosen || !d) return;
  const next = {
    timeZone: validTimeZone(d.timeZone) ? d.timeZone : 'UTC',
    locale: d.locale && validLocale(d.locale) ? d.locale : null,
  };
  if (next.timeZone === current.timeZone && next.locale === current.locale) return;
  current = next;
  for (const l of listeners) l();
}

export function setDisplaySettings(next: DisplaySettings): void {
  chosen = true;
  current = {
    timeZone: validTimeZone(next.timeZone) ? next.timeZone : 'UTC',
    locale: next.locale && validLocale(next.locale) ? next.locale : null,
  };
  try {
    globalThis.localStorage?.setItem(KEY, JSON.stringify(current));
  } catch {
    // private mode: the choice lasts for this page only
  }
  for (const l of listeners) l();
}

function subscribe(l: () => void): () => void {
  listeners.add(l);
  return () => listeners.delete(l);
}

/** The current settings; the component re-renders when they change. */
export function useDisplaySettings(): DisplaySettings {
  return useSyncExternalStore(subscribe, displaySettings, displaySettings);
}
