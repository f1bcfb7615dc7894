import { readdirSync, readlinkSync } from 'node:fs';
import { connect } from 'node:net';
import { resolve } from 'node:path';

/**
 * Why the SQLite files cannot be copied now, or undefined when nothing uses them. A server still
 * running would go on taking deliveries and recording runs after the copy, and those would be
 * lost when it restarts on PostgreSQL; so `connectors migrate` asks for it to be stopped first.
 * Two signs, either enough: something answers on the server's port, or a process (on this
 * machine, Linux) has one of the data folder's SQLite files open.
 */
export async function findRunningServer(options: {
  port: number;
  dataDir: string;
  /** Files of the data folder that only a server (or another CLI) holds open. */
  files: readonly string[];
}): Promise<string | undefined> {
  if (await isListening(options.port)) {
    return `Something answers on port ${options.port} (PORT): stop the server before moving its data, so no run or delivery arrives after the copy.`;
  }
  const holder = findFileHolder(
    options.files.map((file) => resolve(options.dataDir, file)),
    process.pid,
  );
  if (holder) {
    return `Process ${holder.pid} has ${holder.path} open: stop the server (or the command using the data folder) before moving its data.`;
  }
  return undefined;
}

function isListening(port: number): Promise<boolean> {
  return new Promise((done) => {
    const socket = connect({ host: '127.0.0.1', port });
    socket.setTimeout(1_000);
    socket.once('connect', () => {
      socket.destroy();
      done(true);
    });
    socket.once('timeout', () => {
      socket.destroy();
      done(false);
    });
    socket.once('error', () => done(false));
  });
}

/** The first other process with one of `paths` open, read from /proc (absent elsewhere: none). */
function findFileHolder(
  paths: readonly string[],
  selfPid: number,
): { pid: number; path: string } | undefined {
  const wanted = new Set(paths);
  let pids: string[];
  try {
    pids = readdirSync('/proc').filter((name) => /^\d+$/.test(name));
  } catch {
    return undefined;
  }
  for (const pid of pids) {
    if (Number(pid) === selfPid) continue;
    let fds: string[];
    try {
      fds = readdirSync(`/proc/${pid}/fd`);
    } catch {
      // Another user's process, or one that just ended.
      continue;
    }
    for (const fd of fds) {
      try {
        const target = readlinkSync(`/proc/${pid}/fd/${fd}`);
        if (wanted.has(target)) return { pid: Number(pid), path: target };
      } catch {
        continue;
      }
    }
  }
  return undefined;
}
