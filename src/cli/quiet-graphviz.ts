/**
 * Graphviz (compiled to WebAssembly) prints its spline router's diagnostics
 * ("lib/pathplan/shortest.c:333: triangulation failed") straight to stderr.
 * The diagram code already lays such a graph out again with straight lines,
 * so the lines tell the user nothing: while `render` runs, they are dropped.
 * Everything else written to stderr passes through.
 */
const GRAPHVIZ_DIAGNOSTIC = /^lib\/[\w/]+\.c:\d+: /;

export function withQuietGraphviz<T>(render: () => T): T {
  const write = process.stderr.write;
  process.stderr.write = function (this: NodeJS.WriteStream, chunk: unknown, ...rest: unknown[]) {
    if (GRAPHVIZ_DIAGNOSTIC.test(String(chunk))) return true;
    return (write as (...args: unknown[]) => boolean).call(this, chunk, ...rest);
  } as typeof process.stderr.write;
  try {
    return render();
  } finally {
    process.stderr.write = write;
  }
}
