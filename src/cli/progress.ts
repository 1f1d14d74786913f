/**
 * A progress bar for long syncs, drawn on stderr only when it is a terminal
 * (a pipe or a CI log gets the summary alone): `[#########-----------] 312 of 1,159 writes`.
 */
export function progressBar(done: number, total: number, width = 30): string {
  const share = total > 0 ? Math.min(1, done / total) : 1;
  const filled = Math.round(share * width);
  return `[${'#'.repeat(filled)}${'-'.repeat(width - filled)}] ${done.toLocaleString('en-US')} of ${total.toLocaleString('en-US')} writes`;
}

/** Redraws one line in place (`\r`, cleared to the end); `done()` ends it with a newline. */
export function terminalProgress(write: (text: string) => void): { update(done: number, total: number): void; done(): void } {
  let drawn = false;
  return {
    update: (done, total) => {
      drawn = true;
      write(`\r${progressBar(done, total)}\u001b[K`);
    },
    done: () => {
      if (drawn) write('\n');
      drawn = false;
    },
  };
}
