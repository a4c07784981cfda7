// Settings on PostgreSQL.
import type { Settings } from '../settings.js';
import type { PgDatabase } from './database.js';

export class PgSettings implements Settings {
  constructor(private readonly db: PgDatabase) {}

  async getSetting(key: string): Promise<string | null> {
    const rows = await this.db.query<{ value: string }>('SELECT value FROM settings WHERE key = $1', [key]);
    return rows[0] ? String(rows[0].value) : null;
  }

  async setSetting(key: string, value: string): Promise<void> {
    await this.db.query(
      'INSERT INTO settings (key, value) VALUES ($1, $2) ON CONFLICT (key) DO UPDATE SET value = excluded.value',
      [key, value],
    );
  }
}
