// The display time zone and locale, chosen here and kept in this browser.
// UTC with ISO-like dates is the default: evidence is compared across zones.
import { DEFAULT_DISPLAY, setDisplaySettings, useDisplaySettings } from '../lib/display.js';
import { formatTime } from '../lib/format.js';

const LOCALES = ['en-GB', 'en-US', 'de-DE', 'fr-FR', 'es-ES', 'nl-NL', 'sw-KE'];
const FEATURED_ZONES = ['UTC', 'Europe/Brussels', 'Europe/London', 'Africa/Nairobi', 'America/New_York', 'Asia/Singapore'];

function zones(): string[] {
  const here = Intl.DateTimeFormat().resolvedOptions().timeZone;
  const all = typeof Intl.supportedValuesOf === 'function' ? Intl.supportedValuesOf('timeZone') : [];
  return [...new Set([...FEATURED_ZONES, here, ...all])];
}

export function DisplayMenu() {
  const s = useDisplaySettings();
  const here = navigator.language;
  const locales = [...new Set([here, ...LOCALES])];
  return (
    <details className="display-menu" data-testid="display-menu">
      <summary title="Time zone and date format for every time shown">
        Times: {s.timeZone === 'UTC' ? 'UTC' : s.timeZone.split('/').pop()!.replaceAll('_', ' ')}
        {s.locale ? ` · ${s.locale}` : ''}
      </summary>
      <div className="display-panel stack">
        <label>
          Time zone
          <select
            data-testid="display-timezone"
            value={s.timeZone}
            onChange={(e) => setDisplaySettings({ ...s, timeZone: e.target.value })}
          >
            {zones().map((z) => (
              <option key={z} value={z}>
                {z}
              </option>
            ))}
          </select>
        </label>
        <label>
          Date format
          <select
            data-testid="display-locale"
            value={s.locale ?? ''}
            onChange={(e) => setDisplaySettings({ ...s, locale: e.target.value || null })}
          >
            <option value="">ISO (2026-03-02 14:05)</option>
            {locales.map((l) => (
              <option key={l} value={l}>
                {l}
              </option>
            ))}
          </select>
        </label>
        <p className="small muted" data-testid="display-example">
          Now: {formatTime(Date.now())}
        </p>
        <button type="button" className="button" onClick={() => setDisplaySettings(DEFAULT_DISPLAY)}>
          Back to UTC
        </button>
      </div>
    </details>
  );
}
