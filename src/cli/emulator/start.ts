// `kt emulator start`: serve the control plane until SIGINT/SIGTERM.
import { randomBytes } from 'node:crypto';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import type { Context } from '../context.js';
import { UsageError } from '../../errors.js';
import { durationMs, TimeError } from '../../domain/time.js';

export interface StartOptions {
  host: string;
  port: string;
  db?: string;
  seed?: 'demo' | 'none';
  seedEvents: string;
  dialect: string;
  import?: string;
  adminToken?: string;
  gatewayToken?: string;
  reservationTtl: string;
  faults?: string;
  faultsSeed?: string;
  json?: boolean;
}

/** A signal is how an emulator is meant to stop: the handler returns normally (exit 0). */
export const handlesInterrupt = true;

export function defaultDbPath(env: Readonly<Record<string, string | undefined>>, platform: string = process.platform): string {
  const home = env.HOME ?? homedir();
  if (platform === 'win32') return join(env.LOCALAPPDATA ?? join(home, 'AppData', 'Local'), 'kt', 'emulator.db');
  if (platform === 'darwin') return join(home, 'Library', 'Application Support', 'kt', 'emulator.db');
  return join(env.XDG_DATA_HOME ?? join(home, '.local', 'share'), 'kt', 'emulator.db');
}

const TOKEN = /^[A-Za-z0-9._~+/=-]{8,256}$/;

function wholeNumber(text: string, flag: string, max: number): number {
  if (!/^\d+$/.test(text) || Number(text) > max) throw new UsageError(`invalid ${flag} "${text}": use a whole number from 0 to ${max}`);
  return Number(text);
}

export default async function start(ctx: Context, opts: StartOptions): Promise<void> {
  const port = wholeNumber(opts.port, '--port', 65535);
  const seedEvents = opts.seedEvents === 'auto' ? undefined : wholeNumber(opts.seedEvents, '--seed-events', 5_000_000);
  if (opts.dialect !== 'kt' && opts.dialect !== 'product') throw new UsageError(`invalid --dialect "${opts.dialect}": use kt or product`);
  const dialect = opts.dialect;
  let reservationTtlMs: number;
  try {
    reservationTtlMs = durationMs(opts.reservationTtl);
  } catch (error) {
    if (!(error instanceof TimeError)) throw error;
    throw new UsageError(`invalid --reservation-ttl "${opts.reservationTtl}": use a duration such as 2s, 30s or 5m`);
  }
  if (reservationTtlMs <= 0) throw new UsageError(`invalid --reservation-ttl "${opts.reservationTtl}": must be greater than zero`);
  for (const [flag, value] of [['--admin-token', opts.adminToken], ['--gateway-token', opts.gatewayToken]] as const) {
    if (value !== undefined && !TOKEN.test(value)) throw new UsageError(`invalid ${flag}: use 8 to 256 letters, digits or -._~+/=`);
  }
  if (opts.adminToken !== undefined && opts.adminToken === opts.gatewayToken) {
    throw new UsageError('--admin-token and --gateway-token must differ');
  }
  const { parseFaults, FaultSpecError } = await import('../../emulator/faults.js');
  let faults: ReturnType<typeof parseFaults> = [];
  if (opts.faults !== undefined) {
    try {
      faults = parseFaults(opts.faults);
    } catch (error) {
      if (error instanceof FaultSpecError) throw new UsageError(`invalid --faults: ${error.message}`, 'see docs/api-contract.md, "Emulator fault injection"');
      throw error;
    }
  }
  const faultsSeed = opts.faultsSeed === undefined ? undefined : wholeNumber(opts.faultsSeed, '--faults-seed', 2 ** 32 - 1);
  const db = opts.db === undefined ? defaultDbPath(ctx.env) : opts.db === ':memory:' ? ':memory:' : resolve(opts.db);
  const adminToken = opts.adminToken ?? `kt_admin_${randomBytes(18).toString('base64url')}`;
  const gatewayToken = opts.gatewayToken ?? `kt_gw_${randomBytes(18).toString('base64url')}`;

  const { openEmulator } = await import('../../emulator/runtime.js');
  const emulator = await openEmulator({
    host: opts.host,
    port,
    db,
    seed: opts.seed,
    seedEvents,
    importFile: opts.import,
    adminToken,
    gatewayToken,
    reservationTtlMs,
    faults,
    faultsSeed,
    dialect,
    now: () => ctx.now().getTime(),
    // KT_NOW fixes ctx.now; the emulator then lets POST /v1/emulator/clock move it.
    clockFixed: (ctx.env.KT_NOW ?? '') !== '',
  });
  try {
    if (opts.json === true) {
      ctx.io.stdout.write(`${JSON.stringify({ url: emulator.url, admin_token: adminToken, gateway_token: gatewayToken, db })}\n`);
    } else {
      ctx.io.stdout.write(`export KEEPTRUSTS_API_URL=${emulator.url}\nexport KEEPTRUSTS_API_TOKEN=${adminToken}\n`);
    }
    ctx.log.info(`kt emulator listening on ${emulator.url} (database ${db})`);
    if (emulator.seeded !== undefined) {
      const { wallets, events, rollups, raw_events_since: rawSince } = emulator.seeded;
      const kept = rollups === undefined ? '' : ` from ${rawSince ?? ''}, ${rollups.toLocaleString('en-US')} hourly rollup rows before`;
      ctx.log.info(`seeded demo data: ${wallets} wallets, ${events.toLocaleString('en-US')} events${kept}`);
    }
    if (emulator.imported !== undefined) ctx.log.info(`imported ${emulator.imported} events from ${opts.import}`);
    if (opts.json !== true) ctx.log.info(`gateway token (for /v1/gateway/*): ${gatewayToken}`);
    if (dialect !== 'kt') ctx.log.info(`answering in the ${dialect} dialect`);
    if (faults.length > 0) ctx.log.info(`fault injection on: ${opts.faults}`);
    ctx.log.info('press Ctrl-C to stop');
    await new Promise<void>((done) => {
      if (ctx.signal.aborted) done();
      else ctx.signal.addEventListener('abort', () => done(), { once: true });
    });
  } finally {
    await emulator.close();
  }
  ctx.log.info('kt emulator stopped');
}
