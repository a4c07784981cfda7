// Small key/value settings: node identity, chain deployment, chain cursors.

export interface Settings {
  getSetting(key: string): Promise<string | null>;
  /** Insert or replace. */
  setSetting(key: string, value: string): Promise<void>;
}
