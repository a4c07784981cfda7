// Conformance of Settings: get, upsert, persistence.
import assert from 'node:assert/strict';
import { it } from 'node:test';
import { type FreshStorage, withStorage } from './harness.js';

export function settingsConformance(fresh: FreshStorage): void {
  it('settings: absent is null; set inserts then replaces; kept across a reopen', () =>
    withStorage(fresh, async (s) => {
      const st = s.storage.settings;
      assert.equal(await st.getSetting('chain.contracts'), null);
      await st.setSetting('chain.contracts', '{"a":1}');
      await st.setSetting('chain.contracts', '{"a":2}');
      await st.setSetting('empty', '');
      const after = (await s.reopen()).settings;
      assert.equal(await after.getSetting('chain.contracts'), '{"a":2}');
      assert.equal(await after.getSetting('empty'), '');
    }));
}
