/**
 * For a process started by `flowctl dev` or a test harness over an IPC channel:
 * when the parent goes away (even by SIGKILL) the channel disconnects, and this
 * process stops itself the graceful way instead of outliving its supervisor.
 */
export function exitWithParent(): void {
  if (typeof process.send !== 'function') return;
  process.once('disconnect', () => process.kill(process.pid, 'SIGTERM'));
}
