// Times for people in the display zone and locale chosen in the page.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { formatInstant, formatTime } from './format.js';

const T = Date.UTC(2026, 11, 2, 23, 30, 15);

describe('times in the display zone', () => {
  it('UTC with ISO-like dates by default', () => {
    assert.equal(formatTime(T), '2026-12-02 23:30 UTC');
    assert.equal(formatInstant(T, true), '2026-12-02 23:30:15 UTC');
    assert.equal(formatTime(null), '—');
  });

  it('another zone moves the date too, and names the offset', () => {
    assert.equal(formatInstant(T, false, { timeZone: 'Africa/Nairobi', locale: null }), '2026-12-03 02:30 GMT+3');
    assert.equal(formatInstant(T, true, { timeZone: 'America/New_York', locale: null }), '2026-12-02 18:30:15 GMT-5');
  });

  it('a locale writes the date its own way', () => {
    const de = formatInstant(T, false, { timeZone: 'Europe/Berlin', locale: 'de-DE' });
    assert.equal(
      de,
      new Intl.DateTimeFormat('de-DE', {
        timeZone: 'Europe/Berlin',
        year: 'numeric',
        month: 'short',
        day: 'numeric',
        hour: '2-digit',
        minute: '2-digit',
        timeZoneName: 'short',
      }).format(T),
    );
    assert.match(de, /3\. Dez\. 2026.*00:30.*MEZ|3\. Dez\. 2026.*00:30.*GMT\+1/);
  });
});
