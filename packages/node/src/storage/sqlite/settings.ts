// Settings on SQLite.
import type { DatabaseSync, StatementSync } from 'node:sqlite';
import type { Settings } from '../settings.js';
import type { Row } from './rows.js';

export class SqliteSettings implements Settings {
  private readonly get: StatementSync;
  private readonly set: StatementSync;

  constructor(db: DatabaseSync) {
    this.get = db.prepare('SELECT value FROM settings WHERE key = ?');
    this.set = db.prepare(
      'INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value',
    );
  }

  async getSetting(key: string): Promise<string | null> {
    const r = this.get.get(key) as Row | undefined;
    return r ? String(r.value) : null;
  }

  async setSetting(key: string, value: string): Promise<void> {
    this.set.run(key, value);
  }
}
