// A client that goes away in the middle of its request body: nothing to answer, and no fault of the server.

/** Node's error when the request's connection closed before its body was read to the end. */
export function isClientAbort(error: unknown): boolean {
  return (
    error instanceof Error && 'code' in error && error.code === 'ECONNRESET' && error.message === 'aborted'
  );
}
