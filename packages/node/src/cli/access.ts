// `tradetwin user add|list|disable|passwd` and `tradetwin credential
// create|list|revoke`: the organisation's accounts and API credentials, through
// the running node's API (/api/v1/access, access:admin) with the data dir's
// admin token — the operator's bootstrap credential — like other admin commands.
import { COMMON, CliError, type Command, printJson, requireStr } from './args.js';
import { nodeClient } from './node-client.js';

const NODE_OPTS = { node: { type: 'string' }, token: { type: 'string' } } as const;

interface UserView {
  username: string;
  role: string;
  disabled: boolean;
  locked: boolean;
  createdAt: string;
}
interface CredentialView {
  id: string;
  name: string;
  scopes: string[];
  createdAt: string;
  revokedAt: string | null;
  lastUsedAt: string | null;
  token?: string;
}

/** The password from TRADETWIN_PASSWORD or --password-stdin (never a flag: it would sit in the shell history). */
async function password(values: Record<string, unknown>): Promise<string> {
  if (values['password-stdin']) {
    const chunks: Buffer[] = [];
    for await (const c of process.stdin) chunks.push(c as Buffer);
    return Buffer.concat(chunks)
      .toString('utf8')
      .replace(/\r?\n$/, '');
  }
  const env = process.env.TRADETWIN_PASSWORD;
  if (env) return env;
  throw new CliError('give the password on stdin (--password-stdin) or in TRADETWIN_PASSWORD');
}

const PASSWORD_OPTS = { 'password-stdin': { type: 'boolean' } } as const;

const userAdd: Command = {
  name: 'user add',
  summary: 'Add a user account (viewer, operator or admin) to the node organisation',
  usage: 'user add USERNAME --role viewer|operator|admin [--password-stdin] [--data-dir DIR | --node URL --token T]',
  options: { ...COMMON, ...NODE_OPTS, ...PASSWORD_OPTS, role: { type: 'string' } },
  async run({ values, positionals }) {
    const [username] = positionals;
    if (!username) throw new CliError(`a username is required\n\nUsage: tradetwin ${userAdd.usage}`);
    const role = requireStr(values, 'role');
    const u = await nodeClient(values).post<UserView>('/api/v1/access/users', {
      username,
      role,
      password: await password(values),
    });
    if (values.json) printJson(u);
    else process.stdout.write(`added ${u.username} (${u.role})\n`);
    return 0;
  },
};

const userList: Command = {
  name: 'user list',
  summary: 'List the user accounts of the node organisation',
  usage: 'user list [--data-dir DIR | --node URL --token T] [--json]',
  options: { ...COMMON, ...NODE_OPTS },
  async run({ values }) {
    const users = await nodeClient(values).get<UserView[]>('/api/v1/access/users');
    if (values.json) printJson(users);
    else
      for (const u of users)
        process.stdout.write(
          `${u.username.padEnd(24)} ${u.role.padEnd(9)} ${u.disabled ? 'disabled' : u.locked ? 'locked' : 'active'}\n`,
        );
    return 0;
  },
};

const userDisable: Command = {
  name: 'user disable',
  summary: 'Disable a user account (its sessions end)',
  usage: 'user disable USERNAME [--data-dir DIR | --node URL --token T]',
  options: { ...COMMON, ...NODE_OPTS },
  async run({ values, positionals }) {
    const [username] = positionals;
    if (!username) throw new CliError(`a username is required\n\nUsage: tradetwin ${userDisable.usage}`);
    await nodeClient(values).post(`/api/v1/access/users/${encodeURIComponent(username)}/disable`, {});
    process.stdout.write(`disabled ${username}\n`);
    return 0;
  },
};

const userPasswd: Command = {
  name: 'user passwd',
  summary: "Set a user's password (its sessions end, a lock is lifted)",
  usage: 'user passwd USERNAME [--password-stdin] [--data-dir DIR | --node URL --token T]',
  options: { ...COMMON, ...NODE_OPTS, ...PASSWORD_OPTS },
  async run({ values, positionals }) {
    const [username] = positionals;
    if (!username) throw new CliError(`a username is required\n\nUsage: tradetwin ${userPasswd.usage}`);
    await nodeClient(values).post(`/api/v1/access/users/${encodeURIComponent(username)}/password`, {
      password: await password(values),
    });
    process.stdout.write(`password set for ${username}\n`);
    return 0;
  },
};

const credentialCreate: Command = {
  name: 'credential create',
  summary: 'Create a scoped API credential for a machine (the token is printed once)',
  usage: 'credential create NAME --scopes epcis:capture,epcis:read,… [--data-dir DIR | --node URL --token T] [--json]',
  options: { ...COMMON, ...NODE_OPTS, scopes: { type: 'string' } },
  async run({ values, positionals }) {
    const name = positionals.join(' ');
    if (!name) throw new CliError(`a name is required\n\nUsage: tradetwin ${credentialCreate.usage}`);
    const scopes = requireStr(values, 'scopes')
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean);
    const c = await nodeClient(values).post<CredentialView>('/api/v1/access/credentials', { name, scopes });
    if (values.json) printJson(c);
    else process.stdout.write(`${c.token}\n# credential ${c.id} (${c.scopes.join(', ')}): shown once, store it now\n`);
    return 0;
  },
};

const credentialList: Command = {
  name: 'credential list',
  summary: 'List API credentials (never their secrets)',
  usage: 'credential list [--data-dir DIR | --node URL --token T] [--json]',
  options: { ...COMMON, ...NODE_OPTS },
  async run({ values }) {
    const list = await nodeClient(values).get<CredentialView[]>('/api/v1/access/credentials');
    if (values.json) printJson(list);
    else
      for (const c of list)
        process.stdout.write(
          `${c.id}  ${c.revokedAt ? 'revoked' : 'active '}  ${c.name}  [${c.scopes.join(', ')}]  last used ${c.lastUsedAt ?? 'never'}\n`,
        );
    return 0;
  },
};

const credentialRevoke: Command = {
  name: 'credential revoke',
  summary: 'Revoke an API credential',
  usage: 'credential revoke ID [--data-dir DIR | --node URL --token T]',
  options: { ...COMMON, ...NODE_OPTS },
  async run({ values, positionals }) {
    const [id] = positionals;
    if (!id) throw new CliError(`a credential id is required\n\nUsage: tradetwin ${credentialRevoke.usage}`);
    await nodeClient(values).post(`/api/v1/access/credentials/${encodeURIComponent(id)}/revoke`, {});
    process.stdout.write(`revoked ${id}\n`);
    return 0;
  },
};

export const accessCommands: Command[] = [
  userAdd,
  userList,
  userDisable,
  userPasswd,
  credentialCreate,
  credentialList,
  credentialRevoke,
];
